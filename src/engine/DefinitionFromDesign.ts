import { Effect } from "effect"
import type { CohortDefinition } from "../domain/CohortDefinition.js"
import { type Design, designFromRows, type DesignLevels } from "../domain/Design.js"
import type { SpecValue } from "../domain/SpecValue.js"
import type { InvalidSpec } from "../errors/InvalidSpec.js"
import { DefinitionBuilder, type EvaluationRun, type RowReader } from "./DefinitionBuilder.js"
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
  const block = levels.axisSizes === undefined ? undefined : evaluationBlock(b, columnAxes, levels.axisSizes)
  if (block === undefined) {
    levels.forEach((current, r, changed) => {
      digits = current
      return b.readRow(r, read, changed)
    })
    return
  }
  // The first block row by row, its evaluation fields kept; then one row per block, and the block's
  // other evaluations from the kept fields (only those rows' evaluation fields differ, as in the first):
  // every block has one essay, new (then all its evaluations are) or met in an earlier block (none are).
  const { axes, blocks, rows } = block
  const run: EvaluationRun = {
    template: new Int32Array(rows),
    llm: new Int32Array(rows),
    replicate: new Int32Array(rows),
    triple: new Int32Array(rows)
  }
  let good = true
  levels.forEach((current, r, changed) => {
    digits = current
    if (!b.readRow(r, read, changed)) return (good = false)
    b.keepEvaluation(run, r)
  }, { from: 0, to: rows })
  if (!good) return
  // The evaluations a new essay's block adds after its first row: each triple the block has once, in order.
  const firsts: Array<number> = []
  const met = new Set([run.triple[0]!])
  for (let s = 1; s < rows; s++) {
    if (met.has(run.triple[s]!)) continue
    met.add(run.triple[s]!)
    firsts.push(s)
  }
  const pick = (column: Int32Array) => Int32Array.from(firsts, (s) => column[s]!)
  const rest: EvaluationRun = {
    template: pick(run.template),
    llm: pick(run.llm),
    replicate: pick(run.replicate),
    triple: pick(run.triple)
  }
  const sizes = levels.axisSizes!
  const first = new Array<number>(sizes.length).fill(0) // the levels of a block's first row
  digits = first
  for (let p = 1; p < blocks; p++) {
    // The next block: the axes before `axes` counted on; the lowest one that moved is `changed`.
    let changed = axes - 1
    for (; changed > 0; changed--) {
      if (++first[changed]! < sizes[changed]!) break
      first[changed] = 0
    }
    if (changed === 0) first[0]!++
    const before = b.evaluations.size
    if (!b.readRow(p * rows, read, changed)) return
    b.addEvaluations(rest, before)
  }
}

/**
 * Rows in product order whose axes from some axis `axes` on are read by evaluation fields alone, and
 * those fields read no earlier axis, come in blocks of `rows` rows (the product of those axes' sizes):
 * within a block the draft and essay stay, and row `s` of every block has the evaluation fields of row
 * `s` of the first. Undefined when the design has no such axes (or blocks of one row, or one block).
 */
const evaluationBlock = (
  b: DefinitionBuilder,
  columnAxes: ReadonlyArray<number>,
  sizes: ReadonlyArray<number>
): { readonly axes: number; readonly blocks: number; readonly rows: number } | undefined => {
  const axesOf = (fields: ReadonlyArray<ReadonlyArray<number>>) => fields.flat().map((c) => columnAxes[c]!)
  const others = axesOf([...b.textColumns.slice(0, 5), ...b.repColumns.slice(0, 2)])
  const evaluation = axesOf([b.textColumns[5]!, b.textColumns[6]!, b.repColumns[2]!])
  const axes = others.reduce((k, a) => Math.max(k, a + 1), 1)
  if (evaluation.some((a) => a < axes)) return undefined
  const rows = sizes.slice(axes).reduce((n, size) => n * size, 1)
  const blocks = sizes.slice(0, axes).reduce((n, size) => n * size, 1)
  return rows >= 2 && blocks >= 2 ? { axes, blocks, rows } : undefined
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
