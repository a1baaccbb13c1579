import { Context, type Effect } from "effect"
import type { CohortSpec } from "../domain/CohortSpec.js"
import type { GenerationMetadataMissing } from "../errors/GenerationMetadataMissing.js"
import type { InvalidConstraint } from "../errors/InvalidConstraint.js"
import type { InvalidSpec } from "../errors/InvalidSpec.js"
import type { SpecNotFound } from "../errors/SpecNotFound.js"

/**
 * Resolves a cohort id to its parsed, compiled spec (`GenerationMetadataMissing` when a design row reuses a
 * generation by id whose metadata cannot be read).
 */
export class CohortSpecRepository extends Context.Tag("cohort/CohortSpecRepository")<
  CohortSpecRepository,
  {
    readonly get: (
      cohortId: string
    ) => Effect.Effect<CohortSpec, SpecNotFound | InvalidSpec | InvalidConstraint | GenerationMetadataMissing>
  }
>() {}
