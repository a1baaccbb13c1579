import { type PyJson, PyJsonError, pyJsonStr, readMetadataJson } from "./PythonJson.js"
import { pyStrip } from "./PythonText.js"
import { replicateOfMetadata } from "./Signature.js"
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

/**
 * A generation's metadata text as the object the original's `json.loads` reads (exact big integers,
 * floats kept as floats), or undefined when it is not a JSON object.
 */
export const metadataObject = (text: string): Record<string, unknown> | undefined => {
  const parsed = readMetadataJson(text)
  return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) && !(parsed instanceof PyJsonError)
    ? parsed as Record<string, unknown>
    : undefined
}

/** A metadata field as stripped text ("" when absent), as the original's scripts read it: `str(value).strip()`. */
export const metadataText = (metadata: Record<string, unknown> | undefined, key: string): string => {
  const value = metadata?.[key]
  return value === undefined || value === null ? "" : pyStrip(pyJsonStr(value as PyJson))
}

/**
 * A replicate's text (as `metadataText` gives it) as a value: `""` is 1, ASCII digits ≥ 1 are the integer
 * (a bigint beyond 2^31 − 1, so no digit is lost), anything else undefined.
 */
export const replicateOfText = (text: string): number | bigint | undefined => {
  if (text === "") return 1
  if (!/^\d+$/.test(text)) return undefined
  const n = BigInt(text)
  return n < 1n ? undefined : n <= 2147483647n ? Number(n) : n
}

/**
 * A generation's replicate as the original reads it from metadata (`signature_from_metadata`, and
 * `build_cohort_from_list`'s `int()`): none is 1, a digit text or a number is `int()` of it (a float `2.0`
 * is 2, however the file is read); undefined when that is no whole number ≥ 1.
 */
export const metadataReplicate = (metadata: Record<string, unknown> | undefined): number | bigint | undefined => {
  const digits = replicateOfMetadata(metadata?.["replicate"])
  return digits === undefined ? undefined : replicateOfText(digits)
}
