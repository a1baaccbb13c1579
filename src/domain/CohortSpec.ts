import type { CohortDefinition } from "./CohortDefinition.js"

/**
 * Where a spec wrote a design value: its key (`axes.essay_template[1]`, `rules.tuples.judges.items[0]`)
 * and, for a value read from an `@file:` include, the file (as the spec names it) and the line in it.
 */
export interface SpecPlace {
  readonly key: string
  readonly file?: string | undefined
  readonly line?: number | undefined
}

/** What a spec repository returns for a cohort: its definition (if it has one) and audit metadata. */
export interface CohortSpec {
  readonly cohortId: string
  readonly definition?: CohortDefinition | undefined
  /** Merged into the result metadata (spec path, content hash, included files…). */
  readonly metadata: Readonly<Record<string, unknown>>
  /** Problems that do not stop a build (they fail it under `strict`). */
  readonly warnings?: ReadonlyArray<string> | undefined
  /**
   * Where the spec wrote `value` of design field `field` (`essay_template`, or an alias of it), found
   * only when an error names the value (a catalog gap); absent when the definition came from elsewhere.
   */
  readonly placeOf?: ((field: string, value: string) => SpecPlace | undefined) | undefined
}
