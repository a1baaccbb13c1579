import { Effect, Schema } from "effect"
import { InvalidSpec } from "../errors/InvalidSpec.js"
import { pyStrip } from "./PythonText.js"
import { pyStr, type SpecValue } from "./SpecValue.js"

const Id = Schema.String.pipe(Schema.minLength(1))
const Replicate = Schema.Int.pipe(Schema.greaterThanOrEqualTo(1))

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

// Plan values never hold control characters (refused when read), so \u0000 separates key parts safely.
const SEP = "\u0000"
export const draftKey = (d: DraftPlanEntry): string =>
  `${d.comboId}${SEP}${d.templateId}${SEP}${d.llmModelId}${SEP}${d.replicate}`
export const essayKey = (e: EssayPlanEntry): string =>
  `${draftKey(e.draft)}${SEP}${e.templateId}${SEP}${e.llmModelId}${SEP}${e.replicate}`

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
    const record: Record<string, SpecValue> = {}
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
const INTEGER = /^[+-]?\d+$/
const EMPTY = -1
const BAD = -2
// Keys pack (template, llm, replicate) into one number: ids < 2^16 each, replicate < 2^20.
const MAX_DISTINCT = 65536
const MAX_REPLICATE = 1 << 20

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

/** Replicate of a value: a whole number ≥ 1, 0 for "empty, try the next alias", or the problem. */
const replicateOf = (value: SpecValue | undefined): number | string => {
  if (value === null || value === undefined) return 0
  const text = pyStrip(pyStr(value))
  if (text === "") return 0
  const n = typeof value === "boolean" ? Number.NaN : INTEGER.test(text) ? Number(text) : Number.NaN
  return Number.isSafeInteger(n) && n >= 1 && n < MAX_REPLICATE ? n : text
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
 * The definition a design yields (REFERENCE §4), or the first problem found. A plain function for hot
 * paths; `definitionFromDesignRows` wraps it in an Effect.
 */
export const definitionFromDesign = (design: Design, source = "<design rows>"): CohortDefinition | InvalidSpec => {
  const columns = design.columns
  const textColumns = TEXT_FIELDS.map((f) => FIELD_ALIASES[f].map((name) => columns.indexOf(name)).filter((i) => i >= 0))
  const repColumns = REPLICATE_FIELDS.map((f) => FIELD_ALIASES[f].map((name) => columns.indexOf(name)).filter((i) => i >= 0))
  const pools = TEXT_FIELDS.map(() => makeTextPool())
  const repCache = new Map<SpecValue, number | string>()
  const drafts: Array<DraftPlanEntry> = []
  const essays: Array<EssayPlanEntry> = []
  const evaluations: Array<EvaluationPlanEntry> = []
  const draftIndex = new Map<number, Map<number, DraftPlanEntry>>()
  const essayIndex = new Map<DraftPlanEntry, Map<number, EssayPlanEntry>>()
  const evaluationIndex = new Map<EssayPlanEntry, Set<number>>()
  const tripleIds = new Map<number, number>()
  const ids = [0, 0, 0, 0, 0, 0, 0]
  const reps = [1, 1, 1]
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
  const pack = (template: number, llm: number, replicate: number) => (template * MAX_DISTINCT + llm) * MAX_REPLICATE + replicate

  design.forEachRow((row, r) => {
    for (let f = 0; f < 7; f++) {
      let id = EMPTY
      for (const c of textColumns[f]!) {
        id = pools[f]!.id(row[c])
        if (id !== EMPTY) break
      }
      const field = TEXT_FIELDS[f]!
      if (id === EMPTY) {
        const aliases = FIELD_ALIASES[field]
        return fail(r, {
          key: field,
          reason: aliases.length > 1
            ? `missing required field (also read from ${aliases.slice(1).join(", ")})`
            : "missing required field"
        })
      }
      if (id === BAD) {
        const raw = textColumns[f]!.map((c) => row[c]).find((v) => v !== null && v !== undefined && pyStrip(pyStr(v)) !== "")
        return fail(r, {
          key: field,
          reason: "control characters are not allowed",
          value: raw === undefined ? "" : pyStrip(pyStr(raw))
        })
      }
      if (id >= MAX_DISTINCT) return fail(r, { key: field, reason: `more than ${MAX_DISTINCT - 1} distinct values` })
      ids[f] = id
    }
    for (let k = 0; k < 3; k++) {
      let rep = 0
      for (const c of repColumns[k]!) {
        const value = row[c]
        let cached = repCache.get(value!)
        if (cached === undefined) {
          cached = replicateOf(value)
          repCache.set(value!, cached)
        }
        if (typeof cached === "string") {
          return fail(r, {
            key: columns[c]!,
            reason: "replicate must be a whole number of at least 1",
            value: cached
          })
        }
        rep = cached
        if (rep !== 0) break
      }
      reps[k] = rep === 0 ? 1 : rep
    }

    let byCombo = draftIndex.get(ids[0]!)
    if (byCombo === undefined) draftIndex.set(ids[0]!, byCombo = new Map())
    const draftKey = pack(ids[1]!, ids[2]!, reps[0]!)
    let draft = byCombo.get(draftKey)
    if (draft === undefined) {
      draft = {
        comboId: pools[0]!.texts[ids[0]!]!,
        templateId: pools[1]!.texts[ids[1]!]!,
        llmModelId: pools[2]!.texts[ids[2]!]!,
        replicate: reps[0]!
      }
      byCombo.set(draftKey, draft)
      drafts.push(draft)
    }
    let byDraft = essayIndex.get(draft)
    if (byDraft === undefined) essayIndex.set(draft, byDraft = new Map())
    const essayKey = pack(ids[3]!, ids[4]!, reps[1]!)
    let essay = byDraft.get(essayKey)
    if (essay === undefined) {
      essay = { draft, templateId: pools[3]!.texts[ids[3]!]!, llmModelId: pools[4]!.texts[ids[4]!]!, replicate: reps[1]! }
      byDraft.set(essayKey, essay)
      essays.push(essay)
    }
    let byEssay = evaluationIndex.get(essay)
    if (byEssay === undefined) evaluationIndex.set(essay, byEssay = new Set())
    // Few distinct (template, llm, replicate) triples: number them so the per-essay sets hold small
    // integers (no heap number per evaluation).
    const packed = pack(ids[5]!, ids[6]!, reps[2]!)
    let evaluationKey = tripleIds.get(packed)
    if (evaluationKey === undefined) tripleIds.set(packed, evaluationKey = tripleIds.size)
    if (!byEssay.has(evaluationKey)) {
      byEssay.add(evaluationKey)
      evaluations.push({
        essay,
        templateId: pools[5]!.texts[ids[5]!]!,
        llmModelId: pools[6]!.texts[ids[6]!]!,
        replicate: reps[2]!
      })
    }
    return true
  })
  if (failure !== undefined) return failure
  return { drafts, essays, evaluations }
}

const isDesign = (input: unknown): input is Design =>
  typeof input === "object" && input !== null && "forEachRow" in input && !Array.isArray(input)

/**
 * Design rows → cohort definition (REFERENCE §4): each field is the first non-empty of its aliases,
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

export const emptyDefinition: CohortDefinition = { drafts: [], essays: [], evaluations: [] }
