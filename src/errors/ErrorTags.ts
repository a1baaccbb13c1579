import { ArtifactWriteFailed } from "./ArtifactWriteFailed.js"
import { CatalogIncomplete } from "./CatalogIncomplete.js"
import { CatalogInvalid } from "./CatalogInvalid.js"
import { CatalogMissing } from "./CatalogMissing.js"
import { CoverageGap } from "./CoverageGap.js"
import { GenerationMetadataMissing } from "./GenerationMetadataMissing.js"
import { IdCollision } from "./IdCollision.js"
import { InvalidConstraint } from "./InvalidConstraint.js"
import { InvalidSpec } from "./InvalidSpec.js"
import { Locked } from "./Locked.js"
import { MembershipInvalid } from "./MembershipInvalid.js"
import { SpecNotFound } from "./SpecNotFound.js"
import { WorkingDirectoryMissing } from "./WorkingDirectoryMissing.js"

/** Every tagged error class of src/errors (one per file; test/errors/ErrorTags.test.ts keeps the list whole). */
export const ERROR_CLASSES = [
  ArtifactWriteFailed,
  CatalogIncomplete,
  CatalogInvalid,
  CatalogMissing,
  CoverageGap,
  GenerationMetadataMissing,
  IdCollision,
  InvalidConstraint,
  InvalidSpec,
  Locked,
  MembershipInvalid,
  SpecNotFound,
  WorkingDirectoryMissing
] as const

/** The tag of one of our errors. */
export type ErrorTag = typeof ERROR_CLASSES[number]["_tag"]

/** The tags of our errors: what the CLI reports as a one-line failure rather than a crash. */
export const ERROR_TAGS: ReadonlySet<string> = new Set(ERROR_CLASSES.map((c) => c._tag))
