import { suggest } from "../dsl/Suggest.js"
import { FIELD_ALIASES } from "./CohortDefinition.js"
import { formatCount } from "./CountText.js"

/** Every design column name a stage reads: the fields and their aliases. */
export const KNOWN_FIELD_NAMES: ReadonlyArray<string> = Object.values(FIELD_ALIASES).flat()
const KNOWN = new Set(KNOWN_FIELD_NAMES)

/** A design column that no stage reads, with the known name it most likely meant. */
export interface UnreadColumn {
  readonly column: string
  readonly suggestion?: string | undefined
}

/**
 * The design columns no stage reads. `ignored` names columns a rule adds on purpose (a tie keeps its own
 * column beside the tied axes, each holding the same value), which never change what is generated.
 */
export const unreadColumns = (
  columns: ReadonlyArray<string>,
  ignored: ReadonlyArray<string> = []
): Array<UnreadColumn> => {
  const skip = new Set(ignored)
  return columns
    .filter((c) => !KNOWN.has(c) && !skip.has(c))
    .map((column) => ({ column, suggestion: suggest(column, KNOWN_FIELD_NAMES) }))
}

/**
 * One warning per unread design column. Such a column is usually a typo (`draft_replicates:`) or an axis
 * that changes nothing (`temperature:`): its levels multiply the design rows, which then fold together
 * into the same generations. `designRows` and `evaluations` say how many folded.
 */
export const unreadColumnWarnings = (
  source: string,
  unread: ReadonlyArray<UnreadColumn>,
  designRows: number,
  evaluations: number
): Array<string> => {
  if (unread.length === 0) return []
  const folded = designRows - evaluations
  const effect = folded > 0
    ? `${formatCount(folded)} of ${formatCount(designRows)} design rows fold into others ` +
      `(${formatCount(evaluations)} evaluations)`
    : "no design rows fold together"
  return unread.map(({ column, suggestion }) =>
    `${source}: design column "${column}" is read by no stage` +
    (suggestion === undefined ? "" : ` (did you mean "${suggestion}"?)`) +
    `; ${effect}`
  )
}
