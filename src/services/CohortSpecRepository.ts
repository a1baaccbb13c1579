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
    /**
     * Every independent problem of a cohort's spec, in the order their places appear in it (`get` fails
     * with the first); empty when the spec parses and its rules apply. Optional: without it, `validate`
     * lists `get`'s one error.
     */
    readonly problemsOf?: (
      cohortId: string
    ) => Effect.Effect<ReadonlyArray<InvalidSpec>, SpecNotFound | InvalidConstraint>
  }
>() {}
