import type { ColumnTable } from "arquero"

/** What a build returns: counts, a preview, where artifacts went, and audit metadata. */
export interface CohortMembershipResult {
  readonly cohortId: string
  readonly rowCount: number
  /** The first `previewRows` rows of the membership (MEMBERSHIP_COLUMNS). */
  readonly membershipPreview: ColumnTable
  /** Artifact name → path or URI; empty on a dry run or without a store. */
  readonly artifacts: Readonly<Record<string, string>>
  readonly metadata: Readonly<Record<string, unknown>>
}

/** Options of `buildCohortMembership`. */
export interface BuildOptions {
  /** Compute and validate everything, persist nothing. */
  readonly dryRun?: boolean
  /** Rows in `membershipPreview` (default 20). */
  readonly previewRows?: number
  /** Recorded as `feature_flags` in the metadata. */
  readonly featureFlags?: Readonly<Record<string, unknown>>
  /** Turn validation warnings into a failure. */
  readonly strict?: boolean
}

export const DEFAULT_PREVIEW_ROWS = 20
