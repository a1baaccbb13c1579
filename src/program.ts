import { Clock, Effect, Either, Option } from "effect"
import { COMBO_MAPPINGS_COLUMNS } from "./domain/CatalogBundle.js"
import {
  allowlistsFromFrames,
  checkDefinitionCoverage,
  checkRowsCoverage,
  definitionCoverageGaps
} from "./domain/CatalogCoverage.js"
import { catalogWarnings } from "./domain/CatalogWarnings.js"
import {
  type BuildOptions,
  type CohortMembershipMetadata,
  type CohortMembershipResult,
  type CohortPlan,
  type CohortValidation,
  DEFAULT_PREVIEW_ROWS,
  type PlanOptions
} from "./domain/CohortMembershipResult.js"
import type { CohortSpec } from "./domain/CohortSpec.js"
import type { ColumnTable } from "./domain/Frame.js"
import { comboSummary, manifestOf, replicationFromFrame, templateModes } from "./domain/Manifest.js"
import { generateMembership } from "./domain/MembershipGeneration.js"
import { collapseWarnings } from "./domain/MembershipRows.js"
import { membershipTable } from "./domain/MembershipTable.js"
import { columnsOf, definitionColumns } from "./engine/DefinitionColumns.js"
import { CatalogIncomplete } from "./errors/CatalogIncomplete.js"
import { CatalogMissing } from "./errors/CatalogMissing.js"
import type { CoverageGap } from "./errors/CoverageGap.js"
import type { BuildError } from "./errors/index.js"
import { InvalidConstraint } from "./errors/InvalidConstraint.js"
import { InvalidSpec } from "./errors/InvalidSpec.js"
import { BuildProgress } from "./services/BuildProgress.js"
import { CatalogBundleLoader, type CatalogInspection, type CatalogProblem } from "./services/CatalogBundleLoader.js"
import { CohortSpecRepository } from "./services/CohortSpecRepository.js"
import { MembershipArtifactStore } from "./services/MembershipArtifactStore.js"
import { RegistryFactory } from "./services/RegistryFactory.js"

const REQUIRED_FRAMES = ["draft_templates", "essay_templates", "evaluation_templates", "llm_models"] as const

const pathOf = (metadata: Readonly<Record<string, unknown>>, slice: string): { path?: string } => {
  const files = metadata["catalog_files"]
  const path = typeof files === "object" && files !== null ? (files as Record<string, unknown>)[slice] : undefined
  return typeof path === "string" ? { path } : {}
}

/** The catalog files the loader names (slice → path), to name them in coverage gaps. */
const catalogFilesOf = (metadata: Readonly<Record<string, unknown>>): Record<string, string> => {
  const out: Record<string, string> = {}
  const files = metadata["catalog_files"]
  if (typeof files !== "object" || files === null) return out
  for (const [slice, path] of Object.entries(files)) if (typeof path === "string") out[slice] = path
  return out
}

/**
 * Every problem of the catalogs a build needs: the combo catalog missing, empty or without its six
 * columns, each other catalog missing.
 */
const catalogProblems = (
  frames: Readonly<Record<string, ColumnTable>>,
  metadata: Readonly<Record<string, unknown>>
): Array<CatalogMissing | CatalogIncomplete> => {
  const out: Array<CatalogMissing | CatalogIncomplete> = []
  const combos = frames["combo_mappings"]
  if (combos === undefined || combos.numRows() === 0) {
    out.push(
      new CatalogMissing({
        slice: "combo_mappings",
        ...pathOf(metadata, "combo_mappings"),
        reason: combos === undefined ? "missing" : "has no rows"
      })
    )
  } else {
    const names = new Set(combos.columnNames())
    const missingColumns = COMBO_MAPPINGS_COLUMNS.filter((c) => !names.has(c))
    if (missingColumns.length > 0) {
      out.push(
        new CatalogIncomplete({ slice: "combo_mappings", missingColumns, ...pathOf(metadata, "combo_mappings") })
      )
    }
  }
  for (const slice of REQUIRED_FRAMES) {
    if (frames[slice] === undefined) {
      out.push(new CatalogMissing({ slice, ...pathOf(metadata, slice), reason: "missing" }))
    }
  }
  return out
}

/** The combo catalog is present, has rows, and carries its six schema columns; the other catalogs are there. */
const requireFrames = (frames: Readonly<Record<string, ColumnTable>>, metadata: Readonly<Record<string, unknown>>) =>
  Effect.gen(function*() {
    const first = catalogProblems(frames, metadata)[0]
    if (first !== undefined) return yield* first
    return frames["combo_mappings"]!
  })

/** Every catalog file's problem, through `inspectForSpec`; a loader without it gives its one error (or none). */
const inspectCatalogs = (loader: CatalogBundleLoader["Type"], spec: CohortSpec) =>
  loader.inspectForSpec !== undefined
    ? loader.inspectForSpec(spec)
    : Effect.map(Effect.either(loader.loadForSpec(spec)), (outcome): CatalogInspection =>
      Either.isRight(outcome)
        ? { bundle: outcome.right, problems: [] }
        : { bundle: { frames: {}, metadata: {} }, problems: [outcome.left] })

/**
 * The independent problems of a cohort's catalogs and coverage, all of them (a build stops at the
 * first): each missing, unreadable, invalid or incomplete catalog file, and the coverage gap of each
 * catalog that is there. A spec that cannot be read fails with its error (nothing else can be checked then).
 */
export const catalogAndCoverageProblems = Effect.fn("catalogAndCoverageProblems")(function*(cohortId: string) {
  const repository = yield* CohortSpecRepository
  const loader = yield* CatalogBundleLoader
  const spec = yield* repository.get(cohortId)
  const { bundle, problems: fileProblems } = yield* inspectCatalogs(loader, spec)
  // A loader that could not inspect file by file (its one error) leaves nothing else to check.
  if (loader.inspectForSpec === undefined && fileProblems.length > 0) return [...fileProblems]
  const reported = new Set(fileProblems.map((p) => p.slice))
  const catalogs = [
    ...fileProblems,
    ...catalogProblems(bundle.frames, bundle.metadata).filter((p) => !reported.has(p.slice))
  ]
  const problems: Array<CatalogProblem | CoverageGap> = catalogs
  const definition = spec.definition
  if (definition === undefined || Either.isLeft(columnsOf(definition))) return problems
  const skip = new Set(catalogs.map((p) => p.slice))
  const allow = allowlistsFromFrames(bundle.frames)
  return [
    ...problems,
    ...definitionCoverageGaps(definition, allow, catalogFilesOf(bundle.metadata), skip, spec.placeOf)
  ]
})

/**
 * Every independent problem of a cohort's spec, in the order their places appear in it (a build stops
 * at the first), through the repository's `problemsOf`; none when the repository cannot list them.
 */
export const cohortSpecProblems = Effect.fn("cohortSpecProblems")(function*(cohortId: string) {
  const repository = yield* CohortSpecRepository
  return repository.problemsOf === undefined ? [] : yield* repository.problemsOf(cohortId)
})

/** Tags of the problems that do not keep the others from being checked: each catalog file's, each gap. */
const INDEPENDENT = new Set(["CatalogMissing", "CatalogIncomplete", "CatalogInvalid", "CoverageGap"])

/**
 * The error a build stopped at in its place among the problems found again: the same problem (the
 * same sentence, or a spec error at the same file and key) is replaced by it, so that the list and the
 * one error agree; else it leads the list.
 */
export const withFirstProblem = <E extends { readonly _tag: string; readonly message: string }>(
  first: E,
  found: ReadonlyArray<E>
): Array<E> => {
  const same = (p: E) =>
    p.message === first.message ||
    (p instanceof InvalidSpec && first instanceof InvalidSpec && p.path === first.path && p.key === first.key)
  const at = found.findIndex(same)
  return at < 0 ? [first, ...found] : found.map((p, i) => (i === at ? first : p))
}

/**
 * The error that stopped a build of a cohort, and every other independent problem of it, in the order
 * `validate` lists them: after a catalog problem or a coverage gap, each bad catalog file and each
 * catalog's gap (the first error first); after a spec error, every independent problem of the spec, in
 * spec order; any other error alone. Never fails: what cannot be listed leaves the first error alone.
 */
export const cohortProblems = Effect.fn("cohortProblems")(function*(cohortId: string, first: BuildError) {
  const alone = (): Array<BuildError> => [first]
  if (INDEPENDENT.has(first._tag)) {
    return yield* catalogAndCoverageProblems(cohortId).pipe(
      Effect.map((found): Array<BuildError> => [first, ...found.filter((p) => p.message !== first.message)]),
      Effect.orElseSucceed(alone)
    )
  }
  if (first._tag === "InvalidSpec") {
    return yield* cohortSpecProblems(cohortId).pipe(
      Effect.map((found) => withFirstProblem<BuildError>(first, found)),
      Effect.orElseSucceed(alone)
    )
  }
  return alone()
})

/**
 * The checks and the table of a build, nothing persisted: spec → catalogs → definition → coverage →
 * ids → coverage of rows → table → metadata.
 */
const computeMembership = (cohortId: string, options: PlanOptions) =>
  Effect.gen(function*() {
    const previewRows = options.previewRows ?? DEFAULT_PREVIEW_ROWS
    if (!Number.isSafeInteger(previewRows) || previewRows < 0) {
      return yield* new InvalidConstraint({
        reason: `previewRows must be a whole number ≥ 0, got ${previewRows}`,
        constraint: "build-options",
        cohortId
      })
    }
    const repository = yield* CohortSpecRepository
    const loader = yield* CatalogBundleLoader
    const registries = yield* RegistryFactory

    const progress = yield* Effect.serviceOption(BuildProgress)
    const phase = (name: string, n: number) => Option.map(progress, (p) => p.update(name, n, n))
    const spec = yield* repository.get(cohortId)
    const bundle = yield* loader.loadForSpec(spec)
    const combos = yield* requireFrames(bundle.frames, bundle.metadata)
    const definition = spec.definition
    if (definition === undefined) {
      return yield* new InvalidConstraint({
        reason: "the spec has no cohort definition",
        constraint: "definition-missing",
        cohortId
      })
    }

    // A definition handed in by an embedder's repository is checked before anything is built from it.
    yield* definitionColumns(definition, cohortId)

    const allow = allowlistsFromFrames(bundle.frames)
    const files = catalogFilesOf(bundle.metadata)
    yield* checkDefinitionCoverage(definition, allow, files, spec.placeOf)

    const registry = yield* registries.createRegistry(spec, bundle.frames)
    const rows = yield* generateMembership(definition, cohortId, registry)
    phase("membership ids", rows.genId.length)
    yield* checkRowsCoverage(rows, allow, files, spec.placeOf)

    const warnings = [
      ...(spec.warnings ?? []),
      ...catalogWarnings(bundle.frames, bundle.metadata, definition),
      ...collapseWarnings(rows),
      ...(registry.warnings?.() ?? [])
    ]
    if (options.strict === true && warnings.length > 0) {
      return yield* new InvalidConstraint({
        reason: "strict mode: the build has warnings",
        constraint: "strict-warnings",
        cohortId,
        details: warnings
      })
    }

    const table = membershipTable(rows)
    const manifest = manifestOf(definition, replicationFromFrame(bundle.frames["replication_config"]))
    const now = yield* Clock.currentTimeMillis
    const metadata: CohortMembershipMetadata = {
      ...spec.metadata,
      ...bundle.metadata,
      ...comboSummary(combos),
      rows: table.numRows(),
      drafts: rows.counts.draft,
      essays: rows.counts.essay,
      evaluations: rows.counts.evaluation,
      run_timestamp: new Date(now).toISOString(),
      feature_flags: { ...options.featureFlags },
      validation_warnings: warnings,
      manifest,
      template_modes: templateModes(bundle.frames, manifest)
    }
    return { table, previewRows, counts: rows.counts, warnings, metadata }
  })

/**
 * Checks a cohort as a build would (spec, catalogs, coverage, ids, `strict` warnings) and returns its
 * counts and warnings. Needs no artifact store and never writes, so it cannot fail with
 * `ArtifactWriteFailed`.
 */
export const validateCohort = Effect.fn("validateCohort")(function*(cohortId: string, options: PlanOptions = {}) {
  const { counts, metadata, table, warnings } = yield* computeMembership(cohortId, options)
  return {
    cohortId,
    rowCount: table.numRows(),
    counts: { ...counts },
    warnings,
    metadata
  } satisfies CohortValidation as CohortValidation
})

/**
 * Computes a cohort's membership as a build would and returns it whole, with the preview and metadata
 * of a build; persists nothing and needs no artifact store (its error type has no `ArtifactWriteFailed`).
 */
export const planCohort = Effect.fn("planCohort")(function*(cohortId: string, options: PlanOptions = {}) {
  const { metadata, previewRows, table } = yield* computeMembership(cohortId, options)
  return {
    cohortId,
    rowCount: table.numRows(),
    membership: table,
    membershipPreview: table.slice(0, previewRows),
    artifacts: {},
    metadata
  } satisfies CohortPlan as CohortPlan
})

/**
 * Builds the membership of one cohort: `planCohort`'s steps, then persists the table and metadata
 * through the `MembershipArtifactStore` when one is provided and `dryRun` is not set.
 */
export const buildCohortMembership = Effect.fn("buildCohortMembership")(function*(
  cohortId: string,
  options: BuildOptions = {}
) {
  const { metadata, previewRows, table } = yield* computeMembership(cohortId, options)
  const store = yield* Effect.serviceOption(MembershipArtifactStore)
  const artifacts = Option.isSome(store) && options.dryRun !== true
    ? yield* store.value.persistMembership(cohortId, table, metadata)
    : {}

  return {
    cohortId,
    rowCount: table.numRows(),
    membershipPreview: table.slice(0, previewRows),
    artifacts,
    metadata
  } satisfies CohortMembershipResult as CohortMembershipResult
})
