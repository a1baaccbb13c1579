import { Context, type Effect } from "effect"
import type { CatalogBundle } from "../domain/CatalogBundle.js"
import type { CohortSpec } from "../domain/CohortSpec.js"
import type { CatalogIncomplete } from "../errors/CatalogIncomplete.js"
import type { CatalogInvalid } from "../errors/CatalogInvalid.js"
import type { CatalogMissing } from "../errors/CatalogMissing.js"

/** A problem of one catalog file: absent, without a column it must have, or unusable as it is. */
export type CatalogProblem = CatalogMissing | CatalogIncomplete | CatalogInvalid

/**
 * Every catalog a loader could read, and the problem of each one it could not: `bundle` holds the
 * frames (and metadata) of the good ones, `problems` one error per bad file, in the loader's file order.
 */
export interface CatalogInspection {
  readonly bundle: CatalogBundle
  readonly problems: ReadonlyArray<CatalogProblem>
}

/** Loads the catalog frames a spec is validated against. */
export class CatalogBundleLoader extends Context.Tag("cohort/CatalogBundleLoader")<
  CatalogBundleLoader,
  {
    /** The bundle, or the first catalog problem (what a build needs). */
    readonly loadForSpec: (spec: CohortSpec) => Effect.Effect<CatalogBundle, CatalogProblem>
    /**
     * Reads every catalog and lists the problem of each bad one instead of stopping at the first (what
     * `validate` needs). Optional: a loader without it is inspected through `loadForSpec` (its one error).
     */
    readonly inspectForSpec?: (spec: CohortSpec) => Effect.Effect<CatalogInspection>
  }
>() {}
