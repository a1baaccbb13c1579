import { Effect } from "effect"
import type { CohortDefinition } from "../domain/CohortDefinition.js"
import {
  badReplicateReason,
  CONTROL_REASON,
  type DesignField,
  FIELD_ALIASES,
  fieldText,
  hasControl,
  missingFieldReason,
  REPLICATE_FIELDS,
  replicateOf,
  rowProblem,
  TEXT_FIELDS
} from "../domain/DefinitionFromRows.js"
import { type Design, designFromRows, type DesignLevels } from "../domain/Design.js"
import type { SpecValue } from "../domain/SpecValue.js"
import type { InvalidSpec } from "../errors/InvalidSpec.js"
import { definitionOfColumns, makeBigReplicates, StageBuilder } from "./DefinitionColumns.js"

/**
 * The fast path of `domain/DefinitionFromRows.ts`: the same rule over a whole design, interning texts
 * and building integer columns (no object per row or entry). `test/engine/DefinitionFromDesign.prop.test.ts`
 * proves it equals the plain rule.
 */

type Failure = { readonly key: string; readonly reason: string; readonly value?: string }

const EMPTY = -1
const BAD = -2
// Keys pack (template, llm, replicate) into one number while ids stay below 2^16 and the replicate below
// 2^20 (nearly always); beyond, the key is a text, which a number key never equals.
const PACK_IDS = 65536
const PACK_REPLICATES = 1 << 20
/** Interns the stripped text of design values: a value is converted once, however many rows hold it. */
const makeTextPool = () => {
  const byValue = new Map<SpecValue, number>()
  const byText = new Map<string, number>()
  const texts: Array<string> = []
  return {
    texts,
    id: (value: SpecValue | undefined): number => {
      if (value === null || value === undefined) return EMPTY
      let id = byValue.get(value)
      if (id === undefined) {
        const text = fieldText(value)
        if (text === "") id = EMPTY
        else if (hasControl(text)) id = BAD
        else {
          id = byText.get(text)
          if (id === undefined) {
            id = texts.length
            texts.push(text)
            byText.set(text, id)
          }
        }
        byValue.set(value, id)
      }
      return id
    }
  }
}

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

/**
 * A set of (essay, triple) pairs; `add` says whether the pair is new. With a bound on triples (below
 * 256) it is a bitmap, else a set of triples per essay.
 */
const makePairSet = (tripleBound: number | undefined): (essay: number, triple: number) => boolean => {
  if (tripleBound !== undefined && tripleBound <= 256) {
    let bits = new Uint32Array(1024)
    return (essay, triple) => {
      const bit = essay * tripleBound + triple
      const word = Math.floor(bit / 32)
      if (word >= bits.length) {
        const grown = new Uint32Array(Math.max(bits.length * 2, word + 1))
        grown.set(bits)
        bits = grown
      }
      const mask = 1 << (bit % 32)
      if ((bits[word]! & mask) !== 0) return false
      bits[word] = bits[word]! | mask
      return true
    }
  }
  const sets: Array<Set<number>> = []
  return (essay, triple) => {
    const set = sets[essay] ??= new Set()
    const before = set.size
    return set.add(triple).size !== before
  }
}

/** Why field `f` of a row has no usable text: missing, or control characters. */
const fieldProblem = (
  f: number,
  id: number,
  columns: ReadonlyArray<number>,
  row: ReadonlyArray<SpecValue>
): Failure => {
  const field = TEXT_FIELDS[f]!
  if (id === EMPTY) return { key: field, reason: missingFieldReason(field) }
  if (id === BAD) {
    const text = columns.map((c) => fieldText(row[c])).find((t) => t !== "")
    return { key: field, reason: CONTROL_REASON, value: text ?? "" }
  }
  return { key: field, reason: "no usable text" }
}

type TextPool = ReturnType<typeof makeTextPool>
type Pack = number | string

const pack = (template: number, llm: number, replicate: number): Pack =>
  template < PACK_IDS && llm < PACK_IDS && replicate >= 0 && replicate < PACK_REPLICATES
    ? (template * PACK_IDS + llm) * PACK_REPLICATES + replicate
    : `${template},${llm},${replicate}`

/** How a visitor reads a row's fields: text id of field `f` in column `c`, replicate in column `c`, raw values. */
interface RowReader {
  readonly textAt: (field: number, column: number) => number
  readonly replicateAt: (column: number) => number | string
  readonly values: () => ReadonlyArray<SpecValue>
}

/** The state of one run over a design: the interned texts, the stage columns, the indexes that dedupe. */
class DefinitionBuilder {
  readonly textColumns: ReadonlyArray<ReadonlyArray<number>>
  readonly repColumns: ReadonlyArray<ReadonlyArray<number>>
  readonly pools: ReadonlyArray<TextPool> = TEXT_FIELDS.map(() => makeTextPool())
  /** Replicates beyond 2^31 − 1 (rare): a column holds the code -(k + 1) of the k-th. */
  readonly big = makeBigReplicates()
  /** `replicateOf` with a replicate beyond 2^31 − 1 as its code in the side table. */
  readonly replicateOf = (value: SpecValue | undefined): number | string => {
    const r = replicateOf(value)
    return typeof r === "bigint" ? this.big.code(r) : r
  }
  readonly drafts = new StageBuilder()
  readonly essays = new StageBuilder()
  readonly evaluations = new StageBuilder()
  // Entries are found through nested maps keyed by packed (template, llm, replicate) numbers; rows in
  // product order mostly repeat the previous row's draft and essay, so those are checked first.
  private readonly draftIndex = new Map<number, Map<Pack, number>>()
  private readonly essayIndex: Array<Map<Pack, number>> = []
  evaluationSeen = makePairSet(undefined)
  private readonly tripleIds: Array<Array<Map<number, number>>> = []
  private tripleCount = 0
  private readonly ids = new Int32Array(7)
  private readonly reps = new Int32Array(3).fill(1)
  private lastDraft = -1
  private lastEssay = -1
  private readonly last = new Int32Array(7).fill(-1)
  private readonly lastReps = new Int32Array(3).fill(-1)
  failure: InvalidSpec | undefined

  constructor(readonly columns: ReadonlyArray<string>, readonly source: string) {
    const at = (f: DesignField) => FIELD_ALIASES[f].map((name) => columns.indexOf(name)).filter((i) => i >= 0)
    this.textColumns = TEXT_FIELDS.map(at)
    this.repColumns = REPLICATE_FIELDS.map(at)
  }

  private fail(rowIndex: number, f: Failure): false {
    this.failure = rowProblem(this.source, rowIndex, f.key, f.reason, f.value)
    return false
  }

  private draftOf(): number {
    const { ids, reps } = this
    let byCombo = this.draftIndex.get(ids[0]!)
    if (byCombo === undefined) this.draftIndex.set(ids[0]!, byCombo = new Map())
    const key = pack(ids[1]!, ids[2]!, reps[0]!)
    const found = byCombo.get(key)
    if (found !== undefined) return found
    const draft = this.drafts.push(ids[0]!, ids[1]!, ids[2]!, reps[0]!)
    byCombo.set(key, draft)
    this.essayIndex.push(new Map())
    return draft
  }

  private essayOf(draft: number): number {
    const { ids, reps } = this
    const byDraft = this.essayIndex[draft]!
    const key = pack(ids[3]!, ids[4]!, reps[1]!)
    const found = byDraft.get(key)
    if (found !== undefined) return found
    const essay = this.essays.push(draft, ids[3]!, ids[4]!, reps[1]!)
    byDraft.set(key, essay)
    return essay
  }

  /** Adds the entries of a row whose fields are in `ids` and `reps`. */
  private addEntries(): void {
    const { ids, last, lastReps, reps } = this
    const sameDraft = this.lastDraft >= 0 && ids[0] === last[0] && ids[1] === last[1] && ids[2] === last[2] &&
      reps[0] === lastReps[0]
    const draft = sameDraft ? this.lastDraft : this.draftOf()
    const essay = !sameDraft || ids[3] !== last[3] || ids[4] !== last[4] || reps[1] !== lastReps[1]
      ? this.essayOf(draft)
      : this.lastEssay
    // Few distinct (template, llm, replicate) triples: numbered, so the per-essay sets hold small integers.
    const byLlm = this.tripleIds[ids[5]!] ??= []
    const byReplicate = byLlm[ids[6]!] ??= new Map()
    let triple = byReplicate.get(reps[2]!)
    if (triple === undefined) byReplicate.set(reps[2]!, triple = this.tripleCount++)
    if (this.evaluationSeen(essay, triple)) this.evaluations.push(essay, ids[5]!, ids[6]!, reps[2]!)
    this.lastDraft = draft
    this.lastEssay = essay
    for (let f = 0; f < 5; f++) last[f] = ids[f]!
    lastReps[0] = reps[0]!
    lastReps[1] = reps[1]!
  }

  /**
   * Reads row `r`'s fields into `ids` and `reps` (each the first non-empty of its columns), then adds
   * its entries; false once a field is bad (`failure` is set).
   */
  readRow(r: number, read: RowReader): boolean {
    for (let f = 0; f < 7; f++) {
      let id = EMPTY
      for (const c of this.textColumns[f]!) {
        id = read.textAt(f, c)
        if (id !== EMPTY) break
      }
      if (id < 0) return this.fail(r, fieldProblem(f, id, this.textColumns[f]!, read.values()))
      this.ids[f] = id
    }
    for (let k = 0; k < 3; k++) {
      let rep = 0
      for (const c of this.repColumns[k]!) {
        const found = read.replicateAt(c)
        if (typeof found === "string") {
          return this.fail(r, { key: this.columns[c]!, reason: badReplicateReason(found), value: found })
        }
        rep = found
        if (rep !== 0) break
      }
      this.reps[k] = rep === 0 ? 1 : rep
    }
    this.addEntries()
    return true
  }

  definition(): CohortDefinition {
    const { pools } = this
    return definitionOfColumns({
      combos: pools[0]!.texts,
      templates: { draft: pools[1]!.texts, essay: pools[3]!.texts, evaluation: pools[5]!.texts },
      llms: { draft: pools[2]!.texts, essay: pools[4]!.texts, evaluation: pools[6]!.texts },
      drafts: this.drafts.done(),
      essays: this.essays.done(),
      evaluations: this.evaluations.done(),
      unique: true,
      ...(this.big.values.length === 0 ? {} : { bigReplicates: this.big.values })
    })
  }
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
  levels.forEach((current, r) => {
    digits = current
    return b.readRow(r, read)
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
    const b = new DefinitionBuilder(design.columns, source)
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
