import type { CohortDefinition } from "./CohortDefinition.js"

/** What a spec repository returns for a cohort: its definition (if it has one) and audit metadata. */
export interface CohortSpec {
  readonly cohortId: string
  readonly definition?: CohortDefinition | undefined
  /** Merged into the result metadata (spec path, content hash, included files…). */
  readonly metadata: Readonly<Record<string, unknown>>
  /** Problems that do not stop a build (they fail it under `strict`). */
  readonly warnings?: ReadonlyArray<string> | undefined
}
