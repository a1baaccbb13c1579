import type { Effect } from "effect"
import type { Stage } from "../domain/Stage.js"
import type { IdCollision } from "../errors/IdCollision.js"

export interface DraftIdRequest {
  readonly comboId: string
  readonly templateId: string
  readonly llmModelId: string
  readonly cohortId: string
  readonly replicate: number
}

export interface EssayIdRequest {
  readonly draftGenId: string
  readonly templateId: string
  readonly cohortId: string
  readonly replicate: number
}

export interface EvaluationIdRequest {
  readonly essayGenId: string
  readonly templateId: string
  readonly llmModelId: string
  readonly cohortId: string
  readonly replicate: number
}

/** Hands out the gen id of each planned generation. */
export interface GenerationRegistry {
  readonly reserveDraftId: (request: DraftIdRequest) => Effect.Effect<string, IdCollision>
  readonly reserveEssayId: (request: EssayIdRequest) => Effect.Effect<string, IdCollision>
  readonly reserveEvaluationId: (request: EvaluationIdRequest) => Effect.Effect<string, IdCollision>
  /**
   * Optional fast path: the ids of many canonical signatures of one stage at once, in order.
   * When present the builder uses it instead of one Effect per generation.
   */
  readonly reserveMany?: (
    stage: Stage,
    canonicals: ReadonlyArray<string>
  ) => Effect.Effect<ReadonlyArray<string>, IdCollision>
  /** Validation warnings about the store met while handing out ids (e.g. unreadable metadata). */
  readonly warnings?: () => ReadonlyArray<string>
}
