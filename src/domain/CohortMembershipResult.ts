import type { ColumnTable } from "./Frame.js"
import type { Manifest } from "./Manifest.js"
import type { Stage } from "./Stage.js"

/**
 * The audit metadata of a build, as written to `gens/`' cohort metadata. The keys below are set by the
 * build itself and always present; the spec repository and the catalog loader add keys of their own
 * (the file repository: `spec_path`, `spec_sha256`, `spec_includes`, `design_rows`, `seed`; the CSV
 * loader: `catalog_files`, `catalog_rows`, `catalog_sha256`), reached through the index signature.
 */
export interface CohortMembershipMetadata {
  readonly [key: string]: unknown
  /** Distinct combos in the combo catalog. */
  readonly combo_count: number
  /** The highest combo `version` (`v<n>` compared numerically), `null` when none. */
  readonly max_version: string | null
  /** Rows of the membership (drafts + essays + evaluations). */
  readonly rows: number
  readonly drafts: number
  readonly essays: number
  readonly evaluations: number
  /** When the build ran (ISO 8601, UTC, from the Effect `Clock`). */
  readonly run_timestamp: string
  /** `BuildOptions.featureFlags`, as given. */
  readonly feature_flags: Readonly<Record<string, unknown>>
  /** The spec's warnings, then one per collapsed duplicate (they fail a `strict` build). */
  readonly validation_warnings: ReadonlyArray<string>
  readonly manifest: Manifest
  /** Generation mode (`llm`, `copy`, …) of each used template, per stage. */
  readonly template_modes: Readonly<Record<Stage, Readonly<Record<string, string>>>>
}

/**
 * What a build returns: counts, a preview, where artifacts went, and audit metadata. The preview is an
 * arquero table (`ColumnTable`); `rowsOf(result.membershipPreview)` gives its plain row objects.
 */
export interface CohortMembershipResult {
  readonly cohortId: string
  readonly rowCount: number
  /** The first `previewRows` rows of the membership (MEMBERSHIP_COLUMNS); plain rows: `rowsOf(...)`. */
  readonly membershipPreview: ColumnTable
  /** Artifact name → path or URI; empty on a dry run or without a store. */
  readonly artifacts: Readonly<Record<string, string>>
  readonly metadata: CohortMembershipMetadata
}

/**
 * What `planCohort` returns: a build's result with the whole membership, nothing persisted
 * (`artifacts` is empty). CSV text: `membership.toCSV()`; plain rows: `rowsOf(membership)`.
 */
export interface CohortPlan extends CohortMembershipResult {
  /** Every row of the membership (MEMBERSHIP_COLUMNS). */
  readonly membership: ColumnTable
}

/** What `validateCohort` returns: the counts and warnings of a build that passed every check. */
export interface CohortValidation {
  readonly cohortId: string
  readonly rowCount: number
  readonly counts: { readonly draft: number; readonly essay: number; readonly evaluation: number }
  /** The same as `metadata.validation_warnings` of a build. */
  readonly warnings: ReadonlyArray<string>
  readonly metadata: CohortMembershipMetadata
}

/** Options of `validateCohort` and `planCohort`. */
export interface PlanOptions {
  /** Rows in `membershipPreview` (default 20). */
  readonly previewRows?: number
  /** Recorded as `feature_flags` in the metadata. */
  readonly featureFlags?: Readonly<Record<string, unknown>>
  /** Turn validation warnings into a failure. */
  readonly strict?: boolean
}

/** Options of `buildCohortMembership`. */
export interface BuildOptions extends PlanOptions {
  /** Compute and validate everything, persist nothing. */
  readonly dryRun?: boolean
}

/** Rows in a result's `membershipPreview` unless `previewRows` says otherwise. */
export const DEFAULT_PREVIEW_ROWS = 20
