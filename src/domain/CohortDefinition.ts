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

type Reader = (row: ReadonlyArray<SpecValue>) => string | number | undefined
type Failure = { readonly key: string; readonly reason: string; readonly value?: string }

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/

const textReader = (columns: ReadonlyArray<string>, field: Field): Reader => {
  const indexes = FIELD_ALIASES[field].map((name) => columns.indexOf(name)).filter((i) => i >= 0)
  return (row) => {
    for (const i of indexes) {
      const value = row[i]
      if (value === null || value === undefined) continue
      const text = pyStrip(pyStr(value))
      if (text !== "") return text
    }
    return undefined
  }
}

const INTEGER = /^[+-]?\d+$/

const replicateReader = (columns: ReadonlyArray<string>, field: Field): ((row: ReadonlyArray<SpecValue>) => number | Failure) => {
  const candidates = FIELD_ALIASES[field].map((name) => [name, columns.indexOf(name)] as const).filter(([, i]) => i >= 0)
  return (row) => {
    for (const [name, i] of candidates) {
      const value = row[i]
      if (value === null || value === undefined) continue
      const text = pyStrip(pyStr(value))
      if (text === "") continue
      const n = typeof value === "boolean" ? Number.NaN : INTEGER.test(text) ? Number(text) : Number.NaN
      if (!Number.isSafeInteger(n) || n < 1) {
        return { key: name, reason: "replicate must be a whole number of at least 1", value: text }
      }
      return n
    }
    return 1
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
 * The definition a design yields (REFERENCE §4), or the first problem found. A plain function for hot
 * paths; `definitionFromDesignRows` wraps it in an Effect.
 */
export const definitionFromDesign = (design: Design, source = "<design rows>"): CohortDefinition | InvalidSpec => {
  const text = TEXT_FIELDS.map((f) => textReader(design.columns, f))
  const reps = REPLICATE_FIELDS.map((f) => replicateReader(design.columns, f))
  const drafts = new Map<string, DraftPlanEntry>()
  const essays = new Map<string, EssayPlanEntry>()
  const evaluations = new Map<string, EvaluationPlanEntry>()
  const values: Array<string> = new Array(7)
  const fail = (rowIndex: number, failure: Failure) =>
    new InvalidSpec({
      path: source,
      key: `rows[${rowIndex}].${failure.key}`,
      reason: failure.reason,
      ...(failure.value === undefined ? {} : { value: JSON.stringify(failure.value) })
    })
  let failure: InvalidSpec | undefined
  design.forEachRow((row, r) => {
    for (let f = 0; f < 7; f++) {
      const value = text[f]!(row)
      if (value === undefined) {
        const field = TEXT_FIELDS[f]!
        const aliases = FIELD_ALIASES[field]
        failure = fail(r, {
          key: field,
          reason: aliases.length > 1 ? `missing required field (also read from ${aliases.slice(1).join(", ")})` : "missing required field"
        })
        return false
      }
      if (CONTROL.test(value as string)) {
        failure = fail(r, { key: TEXT_FIELDS[f]!, reason: "control characters are not allowed", value: value as string })
        return false
      }
      values[f] = value as string
    }
    const dRep = reps[0]!(row)
    if (typeof dRep !== "number") {
      failure = fail(r, dRep)
      return false
    }
    const eRep = reps[1]!(row)
    if (typeof eRep !== "number") {
      failure = fail(r, eRep)
      return false
    }
    const vRep = reps[2]!(row)
    if (typeof vRep !== "number") {
      failure = fail(r, vRep)
      return false
    }

    const dKey = `${values[0]}${SEP}${values[1]}${SEP}${values[2]}${SEP}${dRep}`
    let draft = drafts.get(dKey)
    if (draft === undefined) {
      draft = { comboId: values[0]!, templateId: values[1]!, llmModelId: values[2]!, replicate: dRep }
      drafts.set(dKey, draft)
    }
    const eKey = `${dKey}${SEP}${values[3]}${SEP}${values[4]}${SEP}${eRep}`
    let essay = essays.get(eKey)
    if (essay === undefined) {
      essay = { draft, templateId: values[3]!, llmModelId: values[4]!, replicate: eRep }
      essays.set(eKey, essay)
    }
    const vKey = `${eKey}${SEP}${values[5]}${SEP}${values[6]}${SEP}${vRep}`
    if (!evaluations.has(vKey)) {
      evaluations.set(vKey, { essay, templateId: values[5]!, llmModelId: values[6]!, replicate: vRep })
    }
    return true
  })
  if (failure !== undefined) return failure
  return {
    drafts: Array.from(drafts.values()),
    essays: Array.from(essays.values()),
    evaluations: Array.from(evaluations.values())
  }
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
