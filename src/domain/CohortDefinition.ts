import { Schema } from "effect"

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

export { draftKey, essayKey } from "../engine/ColumnsFromEntries.js"
export { FIELD_ALIASES, MAX_REPLICATE } from "./DefinitionFromRows.js"
export { type Design, designFromRows, type DesignLevels, designRecords } from "./Design.js"
// The build's way from rows to a definition is the fast path; `definitionFromRows` is its plain twin.
export { definitionFromDesign, definitionFromDesignRows } from "../engine/DefinitionFromDesign.js"

/** A definition with no drafts, essays or evaluations. */
export const emptyDefinition: CohortDefinition = { drafts: [], essays: [], evaluations: [] }
