import { Context, type Effect } from "effect"
import type { CatalogBundle } from "../domain/CatalogBundle.js"
import type { CohortSpec } from "../domain/CohortSpec.js"
import type { CatalogIncomplete } from "../errors/CatalogIncomplete.js"
import type { CatalogInvalid } from "../errors/CatalogInvalid.js"
import type { CatalogMissing } from "../errors/CatalogMissing.js"

/** Loads the catalog frames a spec is validated against. */
export class CatalogBundleLoader extends Context.Tag("cohort/CatalogBundleLoader")<
  CatalogBundleLoader,
  {
    readonly loadForSpec: (
      spec: CohortSpec
    ) => Effect.Effect<CatalogBundle, CatalogMissing | CatalogIncomplete | CatalogInvalid>
  }
>() {}
