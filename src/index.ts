/**
 * cohort-membership-builder: a declarative cohort spec → the membership table of an LLM experiment
 * (drafts → essays → evaluations), with deterministic generation ids, catalog validation and artifacts.
 */

// Domain: data, ids, definition, membership
export * from "./domain/CatalogBundle.js"
export * from "./domain/CohortDefinition.js"
export * from "./domain/CohortId.js"
export * from "./domain/CohortMembershipResult.js"
export * from "./domain/CohortSpec.js"
export * from "./domain/Frame.js"
export * from "./domain/GenId.js"
export * from "./domain/Manifest.js"
export * from "./domain/MembershipColumns.js"
export {
  generateMembership,
  type MembershipSummary,
  type PureEvaluations,
  streamMembership
} from "./domain/MembershipGeneration.js"
export {
  type Collapse,
  collapseWarnings,
  type MembershipRow,
  type MembershipRows,
  rowAt
} from "./domain/MembershipRows.js"
export { membershipTable } from "./domain/MembershipTable.js"
export * from "./domain/SpecValue.js"
export * from "./domain/Stage.js"

// Errors
export * from "./errors/index.js"

// The program
export { buildCohortMembership, catalogAndCoverageProblems, planCohort, validateCohort } from "./program.js"
export * from "./services/BuildProgress.js"

// Services (ports)
export * from "./services/CatalogBundleLoader.js"
export * from "./services/CohortSpecRepository.js"
export type * from "./services/GenerationRegistry.js"
export * from "./services/MembershipArtifactStore.js"
export * from "./services/RegistryFactory.js"

// Layers (implementations)
export * from "./layers/CsvCatalogBundleLoader.js"
export * from "./layers/DataRootLayer.js"
export * from "./layers/DiskRegistryFactory.js"
export * from "./layers/FileSystemArtifactStore.js"
export * from "./layers/FileSystemSpecRepository.js"
export { GensStore } from "./layers/GensStore.js"
export * from "./layers/InMemoryLayers.js"
export * from "./layers/InMemoryRegistryFactory.js"

// The spec DSL
export * from "./dsl/CompileDesign.js"
export type * from "./dsl/ParsedSpec.js"
export { parseSpec, type ParseSpecOptions, type SpecInput } from "./dsl/ParseSpec.js"
export { PyRandom } from "./dsl/PyRandom.js"
export { cohortSpecFromObject, type CompileSpecOptions, type SpecObjectOptions } from "./dsl/SpecObject.js"
export { SpecFile, specJsonSchema } from "./dsl/SpecSchema.js"

// The engine: `cohort plan` as a library (membership streamed as bytes or as column batches)
export type { RowFormat } from "./engine/MembershipEncoder.js"
export { designChunks, membershipSource } from "./engine/MembershipSource.js"
export { membershipStream } from "./engine/MembershipStream.js"
export {
  definitionOfSpec,
  planSpecFile,
  type PlanSpecFileError,
  type PlanSpecFileOptions,
  planWorkerPool
} from "./engine/PlanSpecFile.js"

// Worker threads sharing the long jobs (plan's evaluation rows, a build's metadata reads and writes)
export { type JobTally, WorkerPool } from "./parallel/WorkerPool.js"

// The cohort lifecycle: status, diff, purge, reuse of generations by id
export { type CohortMembers, isSpecFile, type LifecycleOptions, loadMembers } from "./lifecycle/CohortMembers.js"
export { type Change, changeOf, type CohortDiff, cohortDiff, type StageDiff } from "./lifecycle/Diff.js"
export {
  planPurge,
  PURGE_ORDER,
  purgeCohort,
  type PurgeEntry,
  type PurgeOptions,
  type PurgeReport
} from "./lifecycle/Purge.js"
export { REUSE_COLUMNS, reuseGenerations, type ReuseOptions } from "./lifecycle/ReuseGenerations.js"
export { type CohortStatus, cohortStatus, type StageStatus } from "./lifecycle/Status.js"
