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

export { ArtifactWriteFailed } from "./ArtifactWriteFailed.js"
export { CatalogIncomplete } from "./CatalogIncomplete.js"
export { CatalogInvalid } from "./CatalogInvalid.js"
export { CatalogMissing } from "./CatalogMissing.js"
export { CoverageGap } from "./CoverageGap.js"
export { ERROR_TAGS, type ErrorTag } from "./ErrorTags.js"
export { GenerationMetadataMissing } from "./GenerationMetadataMissing.js"
export { IdCollision } from "./IdCollision.js"
export { ConstraintKind, InvalidConstraint } from "./InvalidConstraint.js"
export { InvalidSpec } from "./InvalidSpec.js"
export { Locked } from "./Locked.js"
export { MembershipInvalid } from "./MembershipInvalid.js"
export { SpecNotFound } from "./SpecNotFound.js"
export { WorkingDirectoryMissing } from "./WorkingDirectoryMissing.js"

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
