import type { MembershipRows } from "../domain/MembershipRows.js"
import { type Stage, STAGES } from "../domain/Stage.js"
import { HAS_METADATA, HAS_PARSED, HAS_RAW } from "../lifecycle/GenerationFiles.js"
import { levelOf, type Lineage, LINEAGE_AXES } from "./Lineage.js"

/** Memberships up to this many rows are shown whole; larger ones as a sample per stage. */
export const FULL_TABLE_ROWS = 2_000
/** Rows per stage of a large membership's sample. */
export const SAMPLE_PER_STAGE = 400

/** The membership rows the page's table shows. */
export interface MembershipSample {
  readonly columns: ReadonlyArray<string>
  readonly rows: ReadonlyArray<ReadonlyArray<string>>
  readonly total: number
  /** Whether `rows` is a sample (`SAMPLE_PER_STAGE` rows of each stage) rather than the whole membership. */
  readonly sampled: boolean
  readonly perStage: Readonly<Record<Stage, { readonly total: number; readonly shown: number }>>
}

const COMBO = LINEAGE_AXES.find((a) => a.name === "combo_id")!

const filesOf = (bits: number): string =>
  [bits & HAS_METADATA ? "metadata" : "", bits & HAS_RAW ? "raw" : "", bits & HAS_PARSED ? "parsed" : ""].filter((x) =>
    x !== ""
  ).join(", ") ||
  "none"

/**
 * `k` distinct indexes of `0 … n-1` (all when k ≥ n), in order, drawn by a fixed-seed generator (Floyd's
 * algorithm): the same every run, and free of the aliasing of a fixed stride (every 250th evaluation of
 * a design with 10 judges' templates would show one template only).
 */
export const sampleIndexes = (n: number, k: number): Array<number> => {
  if (k >= n) return Array.from({ length: n }, (_, i) => i)
  let state = 0x9e3779b9
  const next = (bound: number): number => {
    // xorshift32: plenty for choosing table rows.
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) % bound
  }
  const chosen = new Set<number>()
  for (let j = n - k; j < n; j++) {
    const t = next(j + 1)
    chosen.add(chosen.has(t) ? j : t)
  }
  return [...chosen].sort((a, b) => a - b)
}

/**
 * The rows of the table: every row of a small membership, else `SAMPLE_PER_STAGE` rows of each stage
 * (`sampleIndexes`). With `probe`, a column of the generation files each row has.
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
  const chosen = STAGES.flatMap((
    s
  ) => (sampled ? sampleIndexes(byStage[s].length, SAMPLE_PER_STAGE).map((j) => byStage[s][j]!) : byStage[s]))
  const columns = [
    "stage",
    "gen_id",
    "parent_gen_id",
    "combo_id",
    "template_id",
    "llm_model_id",
    "replicate",
    ...(probe ? ["files"] : [])
  ]
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
    STAGES.map((
      s
    ) => [s, {
      total: byStage[s].length,
      shown: sampled ? Math.min(byStage[s].length, SAMPLE_PER_STAGE) : byStage[s].length
    }])
  ) as Record<Stage, { total: number; shown: number }>
  return { columns, rows: out, total, sampled, perStage }
}
