import type { MembershipRows } from "../domain/MembershipRows.js"
import { STAGES, type Stage } from "../domain/Stage.js"
import { HAS_METADATA, HAS_PARSED, HAS_RAW } from "../lifecycle/GenerationFiles.js"
import { LINEAGE_AXES, type Lineage, levelOf } from "./Lineage.js"

/** Memberships up to this many rows are shown whole; larger ones as a sample per stage. */
export const FULL_TABLE_ROWS = 2_000
/** Rows per stage of a large membership's sample. */
export const SAMPLE_PER_STAGE = 400

/** The membership rows the page's table shows. */
export interface MembershipSample {
  readonly columns: ReadonlyArray<string>
  readonly rows: ReadonlyArray<ReadonlyArray<string>>
  readonly total: number
  /** Whether `rows` is a sample (evenly spaced rows of each stage) rather than the whole membership. */
  readonly sampled: boolean
  readonly perStage: Readonly<Record<Stage, { readonly total: number; readonly shown: number }>>
}

const COMBO = LINEAGE_AXES.find((a) => a.name === "combo_id")!

const filesOf = (bits: number): string =>
  [bits & HAS_METADATA ? "metadata" : "", bits & HAS_RAW ? "raw" : "", bits & HAS_PARSED ? "parsed" : ""].filter((x) => x !== "").join(", ") ||
  "none"

/** Evenly spaced indexes: `k` of `0 … n-1`, the first and spread over the rest (all when k ≥ n). */
const spread = (n: number, k: number): Array<number> =>
  k >= n ? Array.from({ length: n }, (_, i) => i) : Array.from({ length: k }, (_, i) => Math.floor((i * n) / k))

/**
 * The rows of the table: every row of a small membership, else `SAMPLE_PER_STAGE` evenly spaced rows
 * of each stage (deterministic). With `probe`, a column of the generation files each row has.
 */
export const sampleMembership = (
  rows: MembershipRows,
  lineage: Lineage,
  probe: ((stage: Stage, genId: string) => number) | undefined
): MembershipSample => {
  const total = rows.genId.length
  const sampled = total > FULL_TABLE_ROWS
  const byStage: Record<Stage, Array<number>> = { draft: [], essay: [], evaluation: [] }
  for (let i = 0; i < total; i++) byStage[rows.stage[i]!].push(i)
  const chosen = STAGES.flatMap((s) => (sampled ? spread(byStage[s].length, SAMPLE_PER_STAGE).map((j) => byStage[s][j]!) : byStage[s]))
  const columns = ["stage", "gen_id", "parent_gen_id", "combo_id", "template_id", "llm_model_id", "replicate", ...(probe ? ["files"] : [])]
  const out = chosen.map((i) => {
    const stage = rows.stage[i]!
    const cells = [
      stage,
      rows.genId[i]!,
      rows.parentGenId[i]!,
      levelOf(rows, lineage, COMBO, i),
      rows.templateId[i]!,
      rows.llmModelId[i]!,
      String(rows.replicate[i]!)
    ]
    if (probe) cells.push(filesOf(probe(stage, rows.genId[i]!)))
    return cells
  })
  const perStage = Object.fromEntries(
    STAGES.map((s) => [s, { total: byStage[s].length, shown: sampled ? Math.min(byStage[s].length, SAMPLE_PER_STAGE) : byStage[s].length }])
  ) as Record<Stage, { total: number; shown: number }>
  return { columns, rows: out, total, sampled, perStage }
}
