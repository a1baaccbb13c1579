import { Effect } from "effect"
import type { Design } from "../domain/CohortDefinition.js"
import type { GenerationMetadataMissing } from "../errors/GenerationMetadataMissing.js"
import type { InvalidSpec } from "../errors/InvalidSpec.js"
import { GensStore } from "../gens/GensStore.js"
import { resolveReuse, type ReuseOptions } from "./ReuseResolver.js"

export { REUSE_COLUMNS, type ReuseOptions } from "./ReuseResolver.js"

/**
 * A design whose rows may carry `essay_gen_id` (or `draft_gen_id`) in place of the fields above that
 * stage, turned into an ordinary design, each id resolved through the metadata of the `GensStore` in
 * context (`DataRootLayer.layer` provides it; so does `GensStore.layer(root)` alone). See `resolveReuse`.
 */
export const reuseGenerations = (
  design: Design,
  options: ReuseOptions
): Effect.Effect<Design, InvalidSpec | GenerationMetadataMissing, GensStore> =>
  Effect.flatMap(GensStore, (gens) => resolveReuse(design, { ...options, gens }))
