import type { SpecValue } from "./SpecValue.js"

/**
 * A design: column names and rows of values in that column order (what `compileDesign` produces).
 * Rows are visited, not held: `f` gets a row array that is reused between calls (copy it to keep it)
 * and may return `false` to stop.
 */
export interface Design {
  readonly columns: ReadonlyArray<string>
  readonly size: number
  readonly forEachRow: (
    f: (row: ReadonlyArray<SpecValue>, index: number) => boolean | void,
    range?: { readonly from: number; readonly to: number }
  ) => void
  /** A design made of axes may also be visited as level indices (no row of values built). */
  readonly levels?: DesignLevels
}

/**
 * A design as a product of axes: column `c` of a row is `columnValues[c][level]`, where `level` is the
 * row's level index of axis `columnAxes[c]`; `forEach` visits rows as arrays of level indices per axis.
 * `changed` is an axis such that the levels of the axes before it are those of the row visited just
 * before (0 when nothing is known: the first row of a visit, a shuffled order).
 */
export interface DesignLevels {
  readonly columnAxes: ReadonlyArray<number>
  readonly columnValues: ReadonlyArray<ReadonlyArray<SpecValue>>
  readonly forEach: (
    f: (levels: ReadonlyArray<number>, index: number, changed: number) => boolean | void,
    range?: { readonly from: number; readonly to: number }
  ) => void
  /**
   * The number of levels of each axis, when rows come in product order (the last axis moving fastest,
   * row `i` the mixed-radix number `i`); absent for a shuffled order.
   */
  readonly axisSizes?: ReadonlyArray<number>
}

/** A design over rows kept in memory. */
export const designFromRows = (
  columns: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<SpecValue>>
): Design => ({
  columns,
  size: rows.length,
  forEachRow: (f, range) => {
    const to = Math.min(rows.length, range?.to ?? rows.length)
    for (let i = range?.from ?? 0; i < to; i++) if (f(rows[i]!, i) === false) return
  }
})

/** The rows of a design as records (`{ column: value }`), in column order. */
export const designRecords = (design: Design): Array<Record<string, SpecValue>> => {
  const out: Array<Record<string, SpecValue>> = []
  design.forEachRow((row) => {
    // Keyed by the spec's column names: no prototype, so `__proto__` is a column like any other.
    const record: Record<string, SpecValue> = Object.create(null)
    design.columns.forEach((c, i) => {
      record[c] = row[i]!
    })
    out.push(record)
  })
  return out
}
