import { Effect } from "effect"
import { InvalidSpec } from "../errors/InvalidSpec.js"
import type { CohortDefinition, DraftPlanEntry, EssayPlanEntry, EvaluationPlanEntry } from "./CohortDefinition.js"
import { hasControlCharacter } from "./ControlCharacters.js"
import { pyIntOfText, pyStrip } from "./PythonText.js"
import { PyFloat, pyStr, type SpecValue } from "./SpecValue.js"

/**
 * The plain rule of REFERENCE §4: design rows → cohort definition, one row at a time, no typed arrays.
 * `engine/DefinitionFromDesign.ts` is the fast path a build uses; a property test proves the two equal.
 */

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

/** A field of a design row. */
export type DesignField = keyof typeof FIELD_ALIASES

/** The text fields, in the order they are checked: combo, then (template, llm) per stage. */
export const TEXT_FIELDS: ReadonlyArray<DesignField> = [
  "combo_id",
  "draft_template",
  "draft_llm",
  "essay_template",
  "essay_llm",
  "evaluation_template",
  "evaluation_llm"
]

/** The replicate fields, per stage. */
export const REPLICATE_FIELDS: ReadonlyArray<DesignField> = [
  "draft_replicate",
  "essay_replicate",
  "evaluation_replicate"
]

/** The largest replicate a number holds here; larger ones are bigints (the fast path's side table). */
export const MAX_REPLICATE = 2 ** 31 - 1

/** The stripped text of a design value: `""` for none. */
export const fieldText = (value: SpecValue | undefined): string =>
  value === null || value === undefined ? "" : pyStrip(pyStr(value))

/**
 * Whether a field's text holds a control character — C0, DEL or C1, the one rule of `ControlCharacters`
 * (refused: it would reach folder names and terminals).
 */
export const hasControl = hasControlCharacter

/** Why a text field has no value in a row. */
export const missingFieldReason = (field: DesignField): string => {
  const aliases = FIELD_ALIASES[field]
  return aliases.length > 1
    ? `missing required field (also read from ${aliases.slice(1).join(", ")})`
    : "missing required field"
}

/** The reason given for a text field whose text holds a control character. */
export const CONTROL_REASON = "control characters are not allowed"

/** Python's `int(value)` of a design value (the original's `_replicate_index`), or undefined where it raises. */
export const pyIntOf = (value: SpecValue): bigint | undefined => {
  if (typeof value === "boolean") return value ? 1n : 0n
  if (typeof value === "number") return Number.isInteger(value) ? BigInt(value) : undefined
  if (typeof value === "bigint") return value
  if (typeof value === "string") return pyIntOfText(value)
  // int(1.5) is 1 in Python; a fraction is refused here instead (a documented difference).
  if (value instanceof PyFloat) return Number.isInteger(value.value) ? BigInt(value.value) : undefined
  return undefined
}

/**
 * Replicate of a value: a whole number ≥ 1 (a bigint beyond MAX_REPLICATE: Python's `int` has no bound),
 * 0 for "empty, try the next alias", or its text when bad.
 */
export const replicateOf = (value: SpecValue | undefined): number | bigint | string => {
  const text = fieldText(value)
  if (text === "") return 0
  const n = pyIntOf(value!)
  return n === undefined || n < 1n ? text : n <= BigInt(MAX_REPLICATE) ? Number(n) : n
}

/** Why a replicate's text (as `replicateOf` returns it) is refused. */
export const badReplicateReason = (_text: string): string => "replicate must be a whole number of at least 1"

/** The error for field `key` of row `index` (`value` shown as JSON text). */
export const rowProblem = (source: string, index: number, key: string, reason: string, value?: string): InvalidSpec =>
  new InvalidSpec({
    path: source,
    key: `rows[${index}].${key}`,
    reason,
    ...(value === undefined ? {} : { value: JSON.stringify(value) })
  })

type Row = Readonly<Record<string, unknown>>

const valueAt = (row: Row, key: string): SpecValue | undefined =>
  Object.hasOwn(row, key) ? row[key] as SpecValue : undefined

/** A text field of a row: the first non-empty of its aliases, stripped. */
const textField = (row: Row, index: number, field: DesignField, source: string): Effect.Effect<string, InvalidSpec> => {
  const text = FIELD_ALIASES[field].map((key) => fieldText(valueAt(row, key))).find((t) => t !== "")
  if (text === undefined) return rowProblem(source, index, field, missingFieldReason(field))
  if (hasControl(text)) return rowProblem(source, index, field, CONTROL_REASON, text)
  return Effect.succeed(text)
}

/** A replicate field of a row: the first non-empty of its aliases, 1 when none is given. */
const replicateField = (
  row: Row,
  index: number,
  field: DesignField,
  source: string
): Effect.Effect<number | bigint, InvalidSpec> => {
  for (const key of FIELD_ALIASES[field]) {
    const replicate = replicateOf(valueAt(row, key))
    if (typeof replicate === "string") return rowProblem(source, index, key, badReplicateReason(replicate), replicate)
    if (replicate !== 0) return Effect.succeed(replicate)
  }
  return Effect.succeed(1)
}

/** Finds an entry by its key, or adds the one `make` gives: entries stay unique, in first-seen order. */
const uniqueIn = <A>(entries: Array<A>, byKey: Map<string, A>, key: string, make: () => A): A => {
  let entry = byKey.get(key)
  if (entry === undefined) {
    entry = make()
    byKey.set(key, entry)
    entries.push(entry)
  }
  return entry
}

/**
 * Design rows (records) → cohort definition: each field is the first non-empty of its aliases,
 * stripped; replicates are whole numbers ≥ 1 (default 1); drafts, essays and evaluations are unique
 * and keep first-seen order. The first bad field fails it, naming its row.
 */
export const definitionFromRows = (
  rows: ReadonlyArray<Row>,
  source = "<design rows>"
): Effect.Effect<CohortDefinition, InvalidSpec> =>
  Effect.gen(function*() {
    const drafts: Array<DraftPlanEntry> = []
    const essays: Array<EssayPlanEntry> = []
    const evaluations: Array<EvaluationPlanEntry> = []
    const draftsByKey = new Map<string, DraftPlanEntry>()
    const essaysByKey = new Map<string, EssayPlanEntry>()
    const evaluationsByKey = new Map<string, EvaluationPlanEntry>()
    for (const [index, row] of rows.entries()) {
      const text: Array<string> = []
      for (const field of TEXT_FIELDS) text.push(yield* textField(row, index, field, source))
      const replicate: Array<number | bigint> = []
      for (const field of REPLICATE_FIELDS) replicate.push(yield* replicateField(row, index, field, source))
      const [comboId, draftTemplate, draftLlm, essayTemplate, essayLlm, evaluationTemplate, evaluationLlm] = text
      const draftKey = JSON.stringify([comboId, draftTemplate, draftLlm, String(replicate[0])])
      const draft = uniqueIn(drafts, draftsByKey, draftKey, () => ({
        comboId: comboId!,
        templateId: draftTemplate!,
        llmModelId: draftLlm!,
        replicate: replicate[0]!
      }))
      const essayKey = JSON.stringify([draftKey, essayTemplate, essayLlm, String(replicate[1])])
      const essay = uniqueIn(essays, essaysByKey, essayKey, () => ({
        draft,
        templateId: essayTemplate!,
        llmModelId: essayLlm!,
        replicate: replicate[1]!
      }))
      const evaluationKey = JSON.stringify([essayKey, evaluationTemplate, evaluationLlm, String(replicate[2])])
      uniqueIn(evaluations, evaluationsByKey, evaluationKey, () => ({
        essay,
        templateId: evaluationTemplate!,
        llmModelId: evaluationLlm!,
        replicate: replicate[2]!
      }))
    }
    return { drafts, essays, evaluations }
  })
