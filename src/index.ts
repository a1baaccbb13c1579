/**
 * cohort-membership-builder: a declarative cohort spec → the membership table of an LLM experiment
 * (drafts → essays → evaluations), with deterministic generation ids, catalog validation and artifacts.
 *
 * Named exports only: each group below is one group of README's "The library"; anything else is
 * internal (tests reach internals by path).
 */

// The program: build, plan and validate a cohort
export {
  type BuildOptions,
  type CohortMembershipMetadata,
  type CohortMembershipResult,
  type CohortPlan,
  type CohortValidation,
  type PlanOptions
} from "./domain/CohortMembershipResult.js"
export { formatCount } from "./domain/CountText.js"
export { specProblems } from "./dsl/CheckSpec.js"
export { buildCohortMembership, catalogAndCoverageProblems, planCohort, validateCohort } from "./program.js"
export { cohortProblems, cohortSpecProblems, withFirstProblem } from "./program.js"
export { BuildProgress } from "./services/BuildProgress.js"

// Services (ports)
export type { CatalogBundle } from "./domain/CatalogBundle.js"
export { CatalogBundleLoader } from "./services/CatalogBundleLoader.js"
export { CohortSpecRepository } from "./services/CohortSpecRepository.js"
export type {
  DraftIdRequest,
  EssayIdRequest,
  EvaluationIdRequest,
  GenerationRegistry,
  StageBatch
} from "./services/GenerationRegistry.js"
export { type ArtifactMetadata, MembershipArtifactStore } from "./services/MembershipArtifactStore.js"
export { RegistryFactory } from "./services/RegistryFactory.js"

// Layers (implementations), each `X.layer(...)` / `X.layer`
export { GensStore } from "./gens/GensStore.js"
export { CsvCatalogBundleLoader } from "./layers/CsvCatalogBundleLoader.js"
export {
  DataRootLayer,
  dataRootLayer,
  dataRootLive,
  type DataRootOptions,
  type DataRootServices
} from "./layers/DataRootLayer.js"
export { DiskRegistryFactory } from "./layers/DiskRegistryFactory.js"
export { type ArtifactStoreOptions, FileSystemArtifactStore } from "./layers/FileSystemArtifactStore.js"
export { FileSystemSpecRepository, type SpecRepositoryOptions } from "./layers/FileSystemSpecRepository.js"
export {
  catalogBundle,
  InMemoryArtifactStore,
  InMemoryCatalogBundleLoader,
  InMemorySpecRepository,
  PersistedArtifacts,
  type PersistedMembership,
  type SpecObjectEntry
} from "./layers/InMemoryLayers.js"
export { InMemoryRegistryFactory, makeInMemoryRegistry } from "./layers/InMemoryRegistryFactory.js"

// Errors
export {
  ArtifactWriteFailed,
  type BuildError,
  CatalogIncomplete,
  CatalogInvalid,
  CatalogMissing,
  ConstraintKind,
  CoverageGap,
  ERROR_TAGS,
  type ErrorTag,
  GenerationMetadataMissing,
  IdCollision,
  InvalidConstraint,
  InvalidSpec,
  Locked,
  MembershipInvalid,
  type PlanError,
  SpecNotFound,
  WorkingDirectoryMissing
} from "./errors/index.js"

// Data: specs, definitions, membership columns, tables, ids
export {
  CohortDefinition,
  type Design,
  type DesignLevels,
  DraftPlanEntry,
  EssayPlanEntry,
  EvaluationPlanEntry
} from "./domain/CohortDefinition.js"
export type { CohortSpec } from "./domain/CohortSpec.js"
export { type ColumnTable, rowsOf } from "./domain/Frame.js"
export { computeGenId, GenIdHasher } from "./domain/GenId.js"
export type { Manifest } from "./domain/Manifest.js"
export { MEMBERSHIP_COLUMNS, type MembershipColumn } from "./domain/MembershipColumns.js"
export { pyIntOfText } from "./domain/PythonText.js"
export { PyFloat, PyTimestamp, type SpecValue } from "./domain/SpecValue.js"
export { type Stage, STAGES } from "./domain/Stage.js"
export { escapeControls } from "./domain/TerminalText.js"

// The spec DSL
export {
  type CompiledDesign,
  compileDesign,
  type CompileOptions,
  DEFAULT_MAX_ROWS,
  type DesignLayout,
  type DesignPlan,
  estimateRows,
  layoutDesign,
  planDesign
} from "./dsl/CompileDesign.js"
export type { Axis, ExperimentSpec, ParsedSpec, Rule } from "./dsl/ParsedSpec.js"
export { parseSpec, type ParseSpecOptions, type SpecInput } from "./dsl/ParseSpec.js"
export { PyRandom } from "./dsl/PyRandom.js"
export { cohortSpecFromObject, type CompileSpecOptions, type SpecObjectOptions } from "./dsl/SpecObject.js"
export { SpecFile, specJsonSchema } from "./dsl/SpecSchema.js"
export { definitionFromDesignRows } from "./engine/DefinitionFromDesign.js"

// Membership without the builder: all rows, batch by batch, or as a Stream of column batches
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
export { designChunks, membershipSource } from "./engine/MembershipSource.js"
export { membershipStream } from "./engine/MembershipStream.js"

// `cohort plan` as a library call: membership as the bytes `cohort plan` writes, and where it writes them
export type { RowFormat } from "./engine/MembershipEncoder.js"
export {
  definitionOfSpec,
  planSpecFile,
  type PlanSpecFileError,
  type PlanSpecFileOptions,
  planWorkerPool
} from "./engine/PlanSpecFile.js"
export { planRegistry } from "./engine/PlanSpecFile.js"
export { type ChunkProducer, type ChunkSink, type ChunkSource, writeOutput } from "./gens/AtomicFile.js"

// Worker threads sharing the long jobs (plan's evaluation rows, a build's metadata reads and writes)
export { type JobTally, WorkerPool } from "./parallel/WorkerPool.js"

// The cohort lifecycle: status, diff, purge, reuse of generations by id
export { type CohortMembers, type LifecycleOptions, loadMembers } from "./lifecycle/CohortMembers.js"
export { type Change, type CohortDiff, cohortDiff, type StageDiff } from "./lifecycle/Diff.js"
export { purgeCohort, type PurgeEntry, type PurgeOptions, type PurgeReport } from "./lifecycle/Purge.js"
export { reuseGenerations, type ReuseOptions } from "./lifecycle/ReuseGenerations.js"
export { type CohortStatus, cohortStatus, type StageStatus } from "./lifecycle/Status.js"
