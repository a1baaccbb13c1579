import { Context, Effect, Layer } from "effect"
import * as nodePath from "node:path"
import { GensDirectory } from "./GensStoreService.js"

/**
 * The `gens/` folder of a data root, shared by the disk registry (which reads it) and the artifact
 * store (which writes it), so that what one learned the other need not ask the disk again.
 */
export class GensStore extends Context.Tag("cohort/GensStore")<GensStore, GensDirectory>() {
  /** The store of a data root; its folders start being listed in the background right away. */
  static readonly layer = (dataRoot: string): Layer.Layer<GensStore> =>
    Layer.sync(GensStore, () => {
      const gens = new GensDirectory(nodePath.resolve(dataRoot))
      gens.prefetchListings()
      return gens
    })
}

/** The shared `GensStore` when one is provided, else a private one for this data root. */
export const gensDirectoryFor = (dataRoot: string): Effect.Effect<GensDirectory> =>
  Effect.map(
    Effect.serviceOption(GensStore),
    (store) =>
      store._tag === "Some" && store.value.root === nodePath.resolve(dataRoot)
        ? store.value
        : new GensDirectory(nodePath.resolve(dataRoot))
  )

/** Items are processed synchronously in chunks of this size, yielding between chunks. */
export const SYNC_CHUNK = 2_000

/**
 * Lets the Node event loop run (signals such as Ctrl-C are delivered there) between synchronous
 * chunks; `Effect.yieldNow` alone only yields to other fibers.
 */
export const yieldToEventLoop: Effect.Effect<void> = Effect.async<void>((resume) => {
  const handle = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(handle))
})
