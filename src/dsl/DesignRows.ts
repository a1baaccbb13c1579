import type { Design } from "../domain/CohortDefinition.js"
import type { SpecValue } from "../domain/SpecValue.js"
import type { DesignLayout } from "./DesignLayout.js"
import { PyRandom } from "./PyRandom.js"

/** A design whose rows are produced on demand from its layout (no row objects are kept). */
export interface CompiledDesign extends Design {
  readonly layout: DesignLayout
  /** @deprecated Renamed `layout`. */
  readonly plan: DesignLayout
  readonly seed: number | bigint | undefined
}

/** Rows of a layout, in product order or in the order Python's `Random(seed).shuffle` leaves them. */
export const designOf = (layout: DesignLayout, seed?: number | bigint): CompiledDesign => {
  const { accessors, levels, size } = layout
  const n = levels.length
  const radix = levels.map((l) => l.length)
  // The shuffled order is computed once, on first use, and shared by every visit.
  let order: Uint32Array | undefined
  /** Visits the level index of every axis, row by row (one reused array). */
  const forEachLevels = (
    f: (digits: ReadonlyArray<number>, index: number, changed: number) => boolean | void,
    range?: { readonly from: number; readonly to: number }
  ): void => {
    const from = Math.max(0, range?.from ?? 0)
    const to = Math.min(size, range?.to ?? size)
    if (from >= to) return
    if (seed !== undefined && order === undefined) order = new PyRandom(seed).shuffleIndices(size)
    const digits = new Array<number>(n).fill(0)
    const decode = (index: number) => {
      let idx = index
      for (let a = n - 1; a >= 0; a--) {
        digits[a] = idx % radix[a]!
        idx = (idx - digits[a]!) / radix[a]!
      }
    }
    if (order === undefined) decode(from)
    for (let k = from; k < to; k++) {
      // The lowest axis whose level moved (in product order, mostly the last one).
      let changed = 0
      if (order !== undefined) decode(order[k]!)
      else if (k > from) {
        for (changed = n - 1; changed > 0; changed--) {
          if (++digits[changed]! < radix[changed]!) break
          digits[changed] = 0
        }
        if (changed === 0) digits[0]!++
      }
      if (f(digits, k, changed) === false) return
    }
  }
  // Each column reads one axis: its value at each level of that axis, computed once.
  const columnValues = accessors.map((acc) =>
    levels[acc.axis]!.map((level) => {
      let v = level
      for (const i of acc.path) v = (v as ReadonlyArray<SpecValue>)[i]!
      return v
    })
  )
  const columnAxes = accessors.map((acc) => acc.axis)
  return {
    layout,
    plan: layout,
    seed,
    columns: layout.columns,
    size,
    levels: { columnAxes, columnValues, forEach: forEachLevels, ...(seed === undefined ? { axisSizes: radix } : {}) },
    forEachRow(f, range) {
      const row: Array<SpecValue> = new Array(accessors.length)
      forEachLevels((digits, k) => {
        for (let c = 0; c < row.length; c++) row[c] = columnValues[c]![digits[columnAxes[c]!]!]!
        return f(row, k)
      }, range)
    }
  }
}
