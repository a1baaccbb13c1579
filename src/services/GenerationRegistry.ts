import type { Effect } from "effect"
import type { Stage } from "../domain/Stage.js"
import type { IdCollision } from "../errors/IdCollision.js"

/** What a draft's id is made from: its combo, template, LLM, cohort and replicate. */
export interface DraftIdRequest {
  readonly comboId: string
  readonly templateId: string
  readonly llmModelId: string
  readonly cohortId: string
  /** A whole number ≥ 1; a bigint beyond 2^31 − 1. */
  readonly replicate: number | bigint
}

/** What an essay's id is made from: its draft's gen id, template, cohort and replicate. */
export interface EssayIdRequest {
  readonly draftGenId: string
  readonly templateId: string
  readonly cohortId: string
  /** A whole number ≥ 1; a bigint beyond 2^31 − 1. */
  readonly replicate: number | bigint
}

/** What an evaluation's id is made from: its essay's gen id, template, judge LLM, cohort and replicate. */
export interface EvaluationIdRequest {
  readonly essayGenId: string
  readonly templateId: string
  readonly llmModelId: string
  readonly cohortId: string
  /** A whole number ≥ 1; a bigint beyond 2^31 − 1. */
  readonly replicate: number | bigint
}

/** Where a batch of `reserveMany` stands in its stage: items [start, start + its length) of `total`. */
export interface StageBatch {
  readonly start: number
  readonly total: number
}

/** Hands out the gen id of each planned generation. */
export interface GenerationRegistry {
  /**
   * Whether every id is the pure hash of its signature (no store consulted, no collision resolution):
   * then a caller may make ids itself from the signatures, as `cohort plan`'s fast path does. Absent
   * means false: the registry must be asked for every id.
   */
  readonly pureIds?: boolean
  readonly reserveDraftId: (request: DraftIdRequest) => Effect.Effect<string, IdCollision>
  readonly reserveEssayId: (request: EssayIdRequest) => Effect.Effect<string, IdCollision>
  readonly reserveEvaluationId: (request: EvaluationIdRequest) => Effect.Effect<string, IdCollision>
  /**
   * Optional fast path: the ids of many canonical signatures of one stage at once, in order.
   * When present the builder uses it instead of one Effect per generation. A stage too large for one
   * call comes in batches: `batch` says where this one stands (its first item's index in the stage,
   * and the stage's size), for progress over the whole stage.
   */
  readonly reserveMany?: (
    stage: Stage,
    canonicals: ReadonlyArray<string>,
    batch?: StageBatch
  ) => Effect.Effect<ReadonlyArray<string>, IdCollision>
  /**
   * Whether `reserveMany` may be called for a stage's next batch before the call for the one before it
   * has returned (a build then overlaps one batch's lookups with the last one's rows). The calls must
   * still come out as if made one after another: the same ids, warnings in the same order, progress
   * that never goes back. Absent means false: one call at a time.
   */
  readonly overlappingBatches?: boolean
  /** Validation warnings about the store met while handing out ids (e.g. unreadable metadata). */
  readonly warnings?: () => ReadonlyArray<string>
}
