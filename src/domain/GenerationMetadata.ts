import type { Stage } from "./Stage.js"

/** The fields of a membership row that its generation's metadata records. */
export interface GenerationRow {
  readonly stage: Stage
  readonly gen_id: string
  readonly parent_gen_id: string
  readonly combo_id: string
  readonly template_id: string
  readonly llm_model_id: string
  readonly replicate: number | bigint
}

/** `gens/<stage>/<gen_id>/metadata.json` of one membership row, key order as the original writes it. */
export const generationMetadata = (row: GenerationRow, cohortId: string, mode: string): string => {
  const m: Record<string, unknown> = { stage: row.stage, gen_id: row.gen_id, origin_cohort_id: cohortId, mode }
  if (row.template_id !== "") m["template_id"] = row.template_id
  if (row.stage === "draft" && row.combo_id !== "") m["combo_id"] = row.combo_id
  if (row.parent_gen_id !== "") m["parent_gen_id"] = row.parent_gen_id
  if (row.llm_model_id !== "") m["llm_model_id"] = row.llm_model_id
  if (typeof row.replicate === "number") {
    m["replicate"] = row.replicate
    return JSON.stringify(m, null, 2)
  }
  // A bigint (beyond 2^31 - 1) is written as its digits, as json.dumps writes a Python int: in place of a
  // stand-in number, the last key.
  m["replicate"] = 0
  const text = JSON.stringify(m, null, 2)
  return `${text.slice(0, text.length - "0\n}".length)}${row.replicate}\n}`
}
