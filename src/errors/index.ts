import type { ArtifactWriteFailed } from "./ArtifactWriteFailed.js"
import type { CatalogIncomplete } from "./CatalogIncomplete.js"
import type { CatalogInvalid } from "./CatalogInvalid.js"
import type { CatalogMissing } from "./CatalogMissing.js"
import type { CoverageGap } from "./CoverageGap.js"
import type { GenerationMetadataMissing } from "./GenerationMetadataMissing.js"
import type { IdCollision } from "./IdCollision.js"
import type { InvalidConstraint } from "./InvalidConstraint.js"
import type { InvalidSpec } from "./InvalidSpec.js"
import type { Locked } from "./Locked.js"
import type { SpecNotFound } from "./SpecNotFound.js"

export * from "./ArtifactWriteFailed.js"
export * from "./CatalogIncomplete.js"
export * from "./CatalogInvalid.js"
export * from "./CatalogMissing.js"
export * from "./CoverageGap.js"
export * from "./GenerationMetadataMissing.js"
export * from "./IdCollision.js"
export * from "./InvalidConstraint.js"
export * from "./InvalidSpec.js"
export * from "./Locked.js"
export * from "./MembershipInvalid.js"
export * from "./SpecNotFound.js"
export * from "./WorkingDirectoryMissing.js"

/** Every failure `validateCohort` and `planCohort` can end with: a build's, less the writes. */
export type PlanError = Exclude<BuildError, ArtifactWriteFailed>

/** Every failure `buildCohortMembership` can end with. */
export type BuildError =
  | SpecNotFound
  | InvalidSpec
  | CatalogMissing
  | CatalogIncomplete
  | CatalogInvalid
  | InvalidConstraint
  | CoverageGap
  | IdCollision
  | ArtifactWriteFailed
  | Locked
  | GenerationMetadataMissing
