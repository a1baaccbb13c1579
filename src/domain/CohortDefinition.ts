import { Effect, Schema } from "effect"
import { InvalidSpec } from "../errors/InvalidSpec.js"
import { pyIntOfText, pyStrip } from "./PythonText.js"
import { definitionOfColumns, makeBigReplicates, StageBuilder } from "./DefinitionColumns.js"
import { PyFloat, pyStr, type SpecValue } from "./SpecValue.js"

const Id = Schema.String.pipe(Schema.minLength(1))
/** A whole number ≥ 1: a number, or a bigint for replicates beyond 2^31 − 1 (Python's `int` has no bound). */
const Replicate = Schema.Union(
  Schema.Int.pipe(Schema.greaterThanOrEqualTo(1)),
  Schema.BigIntFromSelf.pipe(Schema.greaterThanOrEqualToBigInt(1n))
)

/** One draft to generate: a combo written by a draft template with an LLM. */
export const DraftPlanEntry = Schema.Struct({
  comboId: Id,
  templateId: Id,
  llmModelId: Id,
  replicate: Replicate
})
export interface DraftPlanEntry extends Schema.Schema.Type<typeof DraftPlanEntry> {}

/** One essay: a draft rewritten by an essay template with an LLM. */
export const EssayPlanEntry = Schema.Struct({
  draft: DraftPlanEntry,
  templateId: Id,
  llmModelId: Id,
  replicate: Replicate
})
export interface EssayPlanEntry extends Schema.Schema.Type<typeof EssayPlanEntry> {}

/** One evaluation: an essay judged by an evaluation template and a judge LLM. */
export const EvaluationPlanEntry = Schema.Struct({
  essay: EssayPlanEntry,
  templateId: Id,
  llmModelId: Id,
  replicate: Replicate
})
export interface EvaluationPlanEntry extends Schema.Schema.Type<typeof EvaluationPlanEntry> {}

/** The plan of a cohort: unique drafts, essays and evaluations, each in first-seen order. */
export const CohortDefinition = Schema.Struct({
  drafts: Schema.Array(DraftPlanEntry),
  essays: Schema.Array(EssayPlanEntry),
  evaluations: Schema.Array(EvaluationPlanEntry)
})
export interface CohortDefinition extends Schema.Schema.Type<typeof CohortDefinition> {}

export { draftKey, essayKey } from "./DefinitionColumns.js"

/** Where the fields of a design row are read from: the first non-empty of the listed keys. */
export const FIELD_ALIASES = {
  combo_id: ["combo_id", "combo"],
  draft_template: ["draft_template"],
  draft_llm: ["draft_llm", "draft_model", "generation_llm"],
  essay_template: ["essay_template"],
  essay_llm: ["essay_llm"],
  evaluation_template: ["evaluation_template"],
  evaluation_llm: ["evaluation_llm"],
  draft_replicate: ["draft_replicate", "draft_template_replicate", "draft_rep"],
  essay_replicate: ["essay_replicate", "essay_template_replicate", "essay_rep"],
  evaluation_replicate: [
    "evaluation_replicate",
    "evaluation_template_replicate",
    "evaluation_llm_replicate",
    "evaluation_rep"
  ]
} as const

type Field = keyof typeof FIELD_ALIASES
const TEXT_FIELDS: ReadonlyArray<Field> = [
  "combo_id",
  "draft_template",
  "draft_llm",
  "essay_template",
  "essay_llm",
  "evaluation_template",
  "evaluation_llm"
]
const REPLICATE_FIELDS: ReadonlyArray<Field> = ["draft_replicate", "essay_replicate", "evaluation_replicate"]

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
 */
export interface DesignLevels {
  readonly columnAxes: ReadonlyArray<number>
  readonly columnValues: ReadonlyArray<ReadonlyArray<SpecValue>>
  readonly forEach: (
    f: (levels: ReadonlyArray<number>, index: number) => boolean | void,
    range?: { readonly from: number; readonly to: number }
  ) => void
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

type Failure = { readonly key: string; readonly reason: string; readonly value?: string }

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/
const EMPTY = -1
const BAD = -2
// Keys pack (template, llm, replicate) into one number while ids stay below 2^16 and the replicate below
// 2^20 (nearly always); beyond, the key is a text, which a number key never equals.
const PACK_IDS = 65536
const PACK_REPLICATES = 1 << 20
/** The largest replicate kept in a 32-bit column as itself; larger ones go to the definition's side table. */
export const MAX_REPLICATE = 2 ** 31 - 1

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
        const text = pyStrip(pyStr(value))
        if (text === "") id = EMPTY
        else if (CONTROL.test(text)) id = BAD
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

/** Python's `int(value)` of a design value (the original's `_replicate_index`), or undefined where it raises. */
const pyIntOf = (value: SpecValue): bigint | undefined => {
  if (typeof value === "boolean") return value ? 1n : 0n
  if (typeof value === "number") return Number.isInteger(value) ? BigInt(value) : undefined
  if (typeof value === "bigint") return value
  if (typeof value === "string") return pyIntOfText(value)
  // int(1.5) is 1 in Python; a fraction is refused here instead (a documented difference).
  if (value instanceof PyFloat) return Number.isInteger(value.value) ? BigInt(value.value) : undefined
  return undefined
}

/**
 * Replicate of a value: a whole number ≥ 1 (one beyond MAX_REPLICATE as the negative code `big` gives
 * it), 0 for "empty, try the next alias", or the problem.
 */
const replicateOf = (value: SpecValue | undefined, big: (n: bigint) => number): number | string => {
  if (value === null || value === undefined) return 0
  const text = pyStrip(pyStr(value))
  if (text === "") return 0
  const n = pyIntOf(value)
  return n === undefined || n < 1n ? text : n <= BigInt(MAX_REPLICATE) ? Number(n) : big(n)
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
const fieldProblem = (f: number, id: number, columns: ReadonlyArray<number>, row: ReadonlyArray<SpecValue>): Failure => {
  const field = TEXT_FIELDS[f]!
  if (id === EMPTY) {
    const aliases = FIELD_ALIASES[field]
    return {
      key: field,
      reason: aliases.length > 1
        ? `missing required field (also read from ${aliases.slice(1).join(", ")})`
        : "missing required field"
    }
  }
  if (id === BAD) {
    const raw = columns.map((c) => row[c]).find((v) => v !== null && v !== undefined && pyStrip(pyStr(v)) !== "")
    return { key: field, reason: "control characters are not allowed", value: raw === undefined ? "" : pyStrip(pyStr(raw)) }
  }
  return { key: field, reason: "no usable text" }
}

/**
 * The definition a design yields, or the first problem found. A plain function for hot
 * paths; `definitionFromDesignRows` wraps it in an Effect.
 */
export const definitionFromDesign = (design: Design, source = "<design rows>"): CohortDefinition | InvalidSpec => {
  const columns = design.columns
  const textColumns = TEXT_FIELDS.map((f) => FIELD_ALIASES[f].map((name) => columns.indexOf(name)).filter((i) => i >= 0))
  const repColumns = REPLICATE_FIELDS.map((f) => FIELD_ALIASES[f].map((name) => columns.indexOf(name)).filter((i) => i >= 0))
  const pools = TEXT_FIELDS.map(() => makeTextPool())
  const repCache = new Map<SpecValue, number | string>()
  const big = makeBigReplicates()
  const drafts = new StageBuilder()
  const essays = new StageBuilder()
  const evaluations = new StageBuilder()
  // Entries are found through nested maps keyed by packed (template, llm, replicate) numbers; rows in
  // product order mostly repeat the previous row's draft and essay, so those are checked first.
  const draftIndex = new Map<number, Map<number | string, number>>()
  const essayIndex: Array<Map<number | string, number>> = []
  let evaluationSeen = makePairSet(undefined)
  const tripleIds: Array<Array<Map<number, number>>> = []
  let tripleCount = 0
  const ids = new Int32Array(7)
  const reps = new Int32Array(3).fill(1)
  let lastDraft = -1
  let lastEssay = -1
  const last = new Int32Array(7).fill(-1)
  const lastReps = new Int32Array(3).fill(-1)
  let failure: InvalidSpec | undefined
  const fail = (rowIndex: number, f: Failure) => {
    failure = new InvalidSpec({
      path: source,
      key: `rows[${rowIndex}].${f.key}`,
      reason: f.reason,
      ...(f.value === undefined ? {} : { value: JSON.stringify(f.value) })
    })
    return false
  }
  const pack = (template: number, llm: number, replicate: number): number | string =>
    template < PACK_IDS && llm < PACK_IDS && replicate >= 0 && replicate < PACK_REPLICATES
      ? (template * PACK_IDS + llm) * PACK_REPLICATES + replicate
      : `${template},${llm},${replicate}`

  /** Adds the entries of a row whose fields are in `ids` and `reps`. */
  const addEntries = (): void => {
    const sameDraft = lastDraft >= 0 && ids[0] === last[0] && ids[1] === last[1] && ids[2] === last[2] &&
      reps[0] === lastReps[0]
    let draft = lastDraft
    if (!sameDraft) {
      let byCombo = draftIndex.get(ids[0]!)
      if (byCombo === undefined) draftIndex.set(ids[0]!, byCombo = new Map())
      const key = pack(ids[1]!, ids[2]!, reps[0]!)
      const found = byCombo.get(key)
      if (found === undefined) {
        draft = drafts.push(ids[0]!, ids[1]!, ids[2]!, reps[0]!)
        byCombo.set(key, draft)
        essayIndex.push(new Map())
      } else draft = found
    }
    let essay = lastEssay
    if (!sameDraft || ids[3] !== last[3] || ids[4] !== last[4] || reps[1] !== lastReps[1]) {
      const byDraft = essayIndex[draft]!
      const key = pack(ids[3]!, ids[4]!, reps[1]!)
      const found = byDraft.get(key)
      if (found === undefined) {
        essay = essays.push(draft, ids[3]!, ids[4]!, reps[1]!)
        byDraft.set(key, essay)
      } else essay = found
    }
    // Few distinct (template, llm, replicate) triples: numbered, so the per-essay sets hold small integers.
    const byLlm = tripleIds[ids[5]!] ??= []
    const byReplicate = byLlm[ids[6]!] ??= new Map()
    let triple = byReplicate.get(reps[2]!)
    if (triple === undefined) byReplicate.set(reps[2]!, triple = tripleCount++)
    if (evaluationSeen(essay, triple)) evaluations.push(essay, ids[5]!, ids[6]!, reps[2]!)
    lastDraft = draft
    lastEssay = essay
    for (let f = 0; f < 5; f++) last[f] = ids[f]!
    lastReps[0] = reps[0]!
    lastReps[1] = reps[1]!
  }

  /**
   * Reads row `r`'s fields into `ids` and `reps` (each the first non-empty of its columns, through
   * `textAt` and `replicateAt`), then adds its entries; false once a field is bad (`failure` is set).
   */
  const readRow = (
    r: number,
    textAt: (field: number, column: number) => number,
    replicateAt: (column: number) => number | string,
    values: () => ReadonlyArray<SpecValue>
  ): boolean => {
    for (let f = 0; f < 7; f++) {
      let id = EMPTY
      for (const c of textColumns[f]!) {
        id = textAt(f, c)
        if (id !== EMPTY) break
      }
      if (id < 0) return fail(r, fieldProblem(f, id, textColumns[f]!, values()))
      ids[f] = id
    }
    for (let k = 0; k < 3; k++) {
      let rep = 0
      for (const c of repColumns[k]!) {
        const found = replicateAt(c)
        if (typeof found === "string") {
          return fail(r, {
            key: columns[c]!,
            reason: "replicate must be a whole number of at least 1",
            value: found
          })
        }
        rep = found
        if (rep !== 0) break
      }
      reps[k] = rep === 0 ? 1 : rep
    }
    addEntries()
    return true
  }

  const levels = design.levels
  if (levels !== undefined) {
    // Each column's text id (or replicate) per level of its axis, found on first use.
    const { columnAxes, columnValues } = levels
    const UNSEEN = -3
    const textIds = columnValues.map((values) => new Int32Array(values.length).fill(UNSEEN))
    const repIds: Array<Array<number | string | undefined>> = columnValues.map((values) => new Array(values.length))
    // An evaluation's (template, LLM, replicate) is fixed by the levels of the axes its columns read:
    // at most the product of their sizes, so (essay, triple) pairs fit a bitmap.
    const tripleAxes = new Map<number, number>()
    for (const c of [...textColumns[5]!, ...textColumns[6]!, ...repColumns[2]!]) {
      tripleAxes.set(columnAxes[c]!, columnValues[c]!.length)
    }
    evaluationSeen = makePairSet([...tripleAxes.values()].reduce((n, size) => n * size, 1))
    let digits: ReadonlyArray<number> = []
    const textAt = (f: number, c: number) => {
      const level = digits[columnAxes[c]!]!
      const id = textIds[c]![level]!
      return id !== UNSEEN ? id : (textIds[c]![level] = pools[f]!.id(columnValues[c]![level]))
    }
    const replicateAt = (c: number) => {
      const level = digits[columnAxes[c]!]!
      return repIds[c]![level] ??= replicateOf(columnValues[c]![level], big.code)
    }
    const values = () => columnValues.map((v, c) => v[digits[columnAxes[c]!]!]!)
    levels.forEach((current, r) => {
      digits = current
      return readRow(r, textAt, replicateAt, values)
    })
  } else {
    // Rows in product order repeat most of the previous row's values: those need no lookup.
    const lastValue: Array<SpecValue | undefined> = new Array(columns.length).fill(undefined)
    const lastId: Array<number> = new Array(columns.length).fill(EMPTY)
    const lastRep: Array<number | string | undefined> = new Array(columns.length).fill(undefined)
    let row: ReadonlyArray<SpecValue> = []
    const textAt = (f: number, c: number) => {
      const value = row[c]
      if (value === lastValue[c]) return lastId[c]!
      lastValue[c] = value
      return (lastId[c] = pools[f]!.id(value))
    }
    const replicateAt = (c: number) => {
      const value = row[c]
      if (value === lastValue[c] && lastRep[c] !== undefined) return lastRep[c]!
      let found = repCache.get(value!)
      if (found === undefined) repCache.set(value!, found = replicateOf(value, big.code))
      lastValue[c] = value
      return (lastRep[c] = found)
    }
    const values = () => row
    design.forEachRow((current, r) => {
      row = current
      return readRow(r, textAt, replicateAt, values)
    })
  }
  if (failure !== undefined) return failure
  return definitionOfColumns({
    combos: pools[0]!.texts,
    templates: { draft: pools[1]!.texts, essay: pools[3]!.texts, evaluation: pools[5]!.texts },
    llms: { draft: pools[2]!.texts, essay: pools[4]!.texts, evaluation: pools[6]!.texts },
    drafts: drafts.done(),
    essays: essays.done(),
    evaluations: evaluations.done(),
    unique: true,
    ...(big.values.length === 0 ? {} : { bigReplicates: big.values })
  })
}

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
  Effect.suspend(() => {
    const result = definitionFromDesign(isDesign(rows) ? rows : rowsToDesign(rows), options.source)
    return result instanceof InvalidSpec ? Effect.fail(result) : Effect.succeed(result)
  })

/** A definition with no drafts, essays or evaluations. */
export const emptyDefinition: CohortDefinition = { drafts: [], essays: [], evaluations: [] }
