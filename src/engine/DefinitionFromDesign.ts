import { Effect } from "effect"
import type { CohortDefinition } from "../domain/CohortDefinition.js"
import { type Design, designFromRows, type DesignLevels } from "../domain/Design.js"
import type { SpecValue } from "../domain/SpecValue.js"
import type { InvalidSpec } from "../errors/InvalidSpec.js"
import { DefinitionBuilder, type RowReader } from "./DefinitionBuilder.js"
import { EMPTY, makePairSet } from "./DesignTexts.js"

/**
 * The fast path of `domain/DefinitionFromRows.ts`: the same rule over a whole design, interning texts
 * and building integer columns (no object per row or entry). `test/engine/DefinitionFromDesign.prop.test.ts`
 * proves it equals the plain rule.
 */

const rowsToDesign = (rows: ReadonlyArray<Readonly<Record<string, unknown>>>): Design => {
  const columns: Array<string> = []
  const seen = new Set<string>()
  for (const row of rows) {
    for (const key of Object.keys(row)) {
      if (!seen.has(key)) {
        seen.add(key)
        columns.push(key)
      }
    }
  }
  return designFromRows(columns, rows.map((row) => columns.map((c) => (c in row ? (row[c] as SpecValue) : null))))
}

/** Visits a design made of axes as level indices: each column's text id (or replicate) per level, found once. */
const visitLevels = (b: DefinitionBuilder, levels: DesignLevels): void => {
  const { columnAxes, columnValues } = levels
  const UNSEEN = -3
  const textIds = columnValues.map((values) => new Int32Array(values.length).fill(UNSEEN))
  const repIds: Array<Array<number | string | undefined>> = columnValues.map((values) => new Array(values.length))
  // An evaluation's (template, LLM, replicate) is fixed by the levels of the axes its columns read:
  // at most the product of their sizes, so (essay, triple) pairs fit a bitmap.
  const tripleAxes = new Map<number, number>()
  for (const c of [...b.textColumns[5]!, ...b.textColumns[6]!, ...b.repColumns[2]!]) {
    tripleAxes.set(columnAxes[c]!, columnValues[c]!.length)
  }
  b.evaluationSeen = makePairSet([...tripleAxes.values()].reduce((n, size) => n * size, 1))
  let digits: ReadonlyArray<number> = []
  const read: RowReader = {
    textAt: (f, c) => {
      const level = digits[columnAxes[c]!]!
      const id = textIds[c]![level]!
      return id !== UNSEEN ? id : (textIds[c]![level] = b.pools[f]!.id(columnValues[c]![level]))
    },
    replicateAt: (c) => {
      const level = digits[columnAxes[c]!]!
      return repIds[c]![level] ??= b.replicateOf(columnValues[c]![level])
    },
    values: () => columnValues.map((v, c) => v[digits[columnAxes[c]!]!]!)
  }
  b.readsAxes(columnAxes)
  levels.forEach((current, r, changed) => {
    digits = current
    return b.readRow(r, read, changed)
  })
}

/** Visits a design row by row: rows in product order repeat most of the previous row's values, which need no lookup. */
const visitRows = (b: DefinitionBuilder, design: Design): void => {
  const n = design.columns.length
  const repCache = new Map<SpecValue, number | string>()
  const lastValue: Array<SpecValue | undefined> = new Array(n).fill(undefined)
  const lastId: Array<number> = new Array(n).fill(EMPTY)
  const lastRep: Array<number | string | undefined> = new Array(n).fill(undefined)
  let row: ReadonlyArray<SpecValue> = []
  const read: RowReader = {
    textAt: (f, c) => {
      const value = row[c]
      if (value === lastValue[c]) return lastId[c]!
      lastValue[c] = value
      return (lastId[c] = b.pools[f]!.id(value))
    },
    replicateAt: (c) => {
      const value = row[c]
      if (value === lastValue[c] && lastRep[c] !== undefined) return lastRep[c]!
      let found = repCache.get(value!)
      if (found === undefined) repCache.set(value!, found = b.replicateOf(value))
      lastValue[c] = value
      return (lastRep[c] = found)
    },
    values: () => row
  }
  design.forEachRow((current, r) => {
    row = current
    return b.readRow(r, read)
  })
}

/**
 * The definition a design yields (the rule of `definitionFromRows`), or an `InvalidSpec` for the first
 * bad row. The loop stops at the first bad field and the failure is raised once, after it.
 */
export const definitionFromDesign = (
  design: Design,
  source = "<design rows>"
): Effect.Effect<CohortDefinition, InvalidSpec> =>
  Effect.suspend(() => {
    const b = new DefinitionBuilder(design.columns, source, design.size)
    if (design.levels !== undefined) visitLevels(b, design.levels)
    else visitRows(b, design)
    return b.failure !== undefined ? b.failure : Effect.succeed(b.definition())
  })

const isDesign = (input: unknown): input is Design =>
  typeof input === "object" && input !== null && "forEachRow" in input && !Array.isArray(input)

/**
 * Design rows → cohort definition: each field is the first non-empty of its aliases,
 * stripped; replicates are whole numbers ≥ 1 (default 1); drafts, essays and evaluations are unique
 * and keep first-seen order. Accepts records (`{ combo_id: …, … }`) or a compiled `Design`.
 */
export const definitionFromDesignRows = (
  rows: ReadonlyArray<Readonly<Record<string, unknown>>> | Design,
  options: { readonly source?: string } = {}
): Effect.Effect<CohortDefinition, InvalidSpec> =>
  Effect.suspend(() => definitionFromDesign(isDesign(rows) ? rows : rowsToDesign(rows), options.source))
