import {
  type CohortMembershipResult,
  type ColumnTable,
  ERROR_TAGS,
  escapeControls,
  type JobTally,
  MEMBERSHIP_COLUMNS
} from "../index.js"
import { formatCount } from "./Numbers.js"

export interface TaggedFailure {
  readonly _tag: string
  readonly message: string
}

export const isTaggedFailure = (u: unknown): u is TaggedFailure =>
  typeof u === "object" && u !== null && "_tag" in u && ERROR_TAGS.has((u as { _tag: string })._tag)

/**
 * The one stderr line of a failure: `Tag: message`, newlines folded so it stays one line, and every
 * control or bidi character of it escaped (messages echo specs, catalogs and file names).
 */
export const errorLine = (error: TaggedFailure): string => `${error._tag}: ${safeMessage(error)}`

const safeMessage = (error: TaggedFailure): string => escapeControls(error.message.replace(/\s*\n\s*/g, " "))

/** `cohortId` → `cohort_id`: the CLI's JSON keys are snake_case throughout, as the metadata's are. */
export const snakeCase = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

/**
 * A result as the CLI's JSON: keys in snake_case at every depth, except inside the maps keyed by data
 * (models, cohorts, axes, templates), whose keys are names and stay as written.
 */
export const snakeJson = (value: unknown, dataMaps: ReadonlySet<string>): unknown => {
  if (Array.isArray(value)) return value.map((v) => snakeJson(v, dataMaps))
  if (typeof value !== "object" || value === null) return value
  const out: Record<string, unknown> = Object.create(null)
  for (const [k, v] of Object.entries(value)) out[snakeCase(k)] = dataMaps.has(k) ? v : snakeJson(v, dataMaps)
  return { ...out }
}

/** A failure as JSON: its tag, its fields (snake_case keys), and its message. */
export const errorJson = (error: TaggedFailure): Record<string, unknown> => {
  const out: Record<string, unknown> = { _tag: error._tag }
  for (const [k, v] of Object.entries(error)) if (k !== "_tag") out[snakeCase(k)] = v
  out["message"] = safeMessage(error)
  return out
}

/** Counts a store reports among its artifacts (as text, since artifacts map names to paths). */
const COUNT_ARTIFACTS = { generations_written: "written", generations_existing: "existing" } as const

/**
 * A result as JSON (`--json`), keys in snake_case: the preview as an array of row objects, artifacts
 * as paths, and the generation counts as numbers (`generations: {written, existing}`).
 */
export const resultJson = (result: CohortMembershipResult): Record<string, unknown> => {
  const artifacts: Record<string, string> = {}
  const generations: Record<string, number> = {}
  for (const [name, value] of Object.entries(result.artifacts)) {
    const count = COUNT_ARTIFACTS[name as keyof typeof COUNT_ARTIFACTS]
    if (count === undefined) artifacts[name] = value
    else generations[count] = Number(value)
  }
  return {
    cohort_id: result.cohortId,
    row_count: result.rowCount,
    // A replicate beyond 2^31 - 1 (a bigint) is given as its decimal text: JSON.stringify has no bigint.
    membership_preview: (result.membershipPreview.objects() as Array<Record<string, unknown>>).map((row) =>
      typeof row["replicate"] === "bigint" ? { ...row, replicate: String(row["replicate"]) } : row
    ),
    artifacts,
    ...(Object.keys(generations).length === 0 ? {} : { generations }),
    metadata: result.metadata
  }
}

/**
 * What each thread did of the jobs a build shared (`--json`'s `work`): per job (`write`, `verify` of a
 * stage, `probe`, `evaluations`) its items, how many the main thread did and how many worker threads did.
 */
export const workJson = (tally: ReadonlyArray<JobTally>): Array<Record<string, unknown>> =>
  tally.map((t) => ({
    job: t.job,
    ...(t.stage === undefined ? {} : { stage: t.stage }),
    items: t.items,
    by_main_thread: t.byMainThread,
    by_workers: t.byWorkers
  }))

/** A plain-text table of the preview rows, columns padded to their widest value (cells escaped first). */
export const previewTable = (table: ColumnTable): string => {
  const rows = table.objects() as Array<Record<string, unknown>>
  const columns = [...MEMBERSHIP_COLUMNS]
  const cells = [columns as Array<string>, ...rows.map((r) => columns.map((c) => escapeControls(String(r[c] ?? ""))))]
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)))
  return cells.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n")
}

/** A count of the metadata or artifacts (a number, or digits as text) as the CLI writes counts. */
const count = (value: unknown): string => {
  const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value
  return typeof n === "number" ? formatCount(n) : String(value)
}

/** The human summary `cohort build` prints. */
export const buildSummary = (result: CohortMembershipResult, dryRun: boolean): string => {
  const m = result.metadata
  const lines = [
    `cohort ${result.cohortId}: ${count(result.rowCount)} rows (${count(m["drafts"])} drafts, ${
      count(m["essays"])
    } essays, ${count(m["evaluations"])} evaluations)`,
    `combo catalog: ${count(m["combo_count"])} combos, highest version ${m["max_version"] ?? "-"}`
  ]
  const a = result.artifacts
  if (dryRun) lines.push("dry run: nothing was written")
  else if (a["generations_written"] !== undefined) {
    lines.push(
      `generations: ${count(a["generations_written"])} new, ${count(a["generations_existing"])} already present`
    )
  }
  const warnings = (m["validation_warnings"] ?? []) as Array<string>
  if (warnings.length === 0) lines.push("warnings: none")
  else lines.push(`warnings (${warnings.length}):`, ...warnings.map((w) => `  - ${w}`))
  const paths = Object.entries(a).filter(([k]) => !k.startsWith("generations_"))
  if (paths.length > 0) lines.push("artifacts:", ...paths.map(([k, v]) => `  ${k.padEnd(10)}  ${v}`))
  const shown = result.membershipPreview.numRows()
  if (shown > 0) lines.push(`preview (first ${count(shown)} of ${count(result.rowCount)} rows):`)
  // Ids, templates and warnings come from specs and catalogs: escaped line by line (the preview cell by cell).
  const preview = shown > 0 ? [previewTable(result.membershipPreview)] : []
  return [...lines.map((line) => escapeControls(line)), ...preview].join("\n")
}
