import { chunkStream } from "../engine/ChunkStream.js"
import { membershipSource } from "../engine/MembershipSource.js"
import type { CohortDefinition, GenerationRegistry, GenIdHasher } from "../index.js"

/**
 * The membership CSV of a definition as a stream of byte chunks, made as the client reads them (the
 * same encoder as `cohort plan`). The registry decides whether the fast path may make its ids (`pureIds`).
 */
export const membershipCsv = (
  definition: CohortDefinition,
  cohortId: string,
  registry: GenerationRegistry,
  hasher: GenIdHasher
) => chunkStream(membershipSource("csv", definition, cohortId, registry, hasher))
