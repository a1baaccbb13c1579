import { Context, type Effect } from "effect"
import type { CohortSpec } from "../domain/CohortSpec.js"
import type { ColumnTable } from "../domain/Frame.js"
import type { GenerationRegistry } from "./GenerationRegistry.js"

/** Produces the generation registry used while computing a membership. */
export class RegistryFactory extends Context.Tag("cohort/RegistryFactory")<
  RegistryFactory,
  {
    readonly createRegistry: (
      spec: CohortSpec,
      frames: Readonly<Record<string, ColumnTable>>
    ) => Effect.Effect<GenerationRegistry>
  }
>() {}
