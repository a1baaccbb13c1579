import { Context, Effect, Layer } from "effect"
import * as nodePath from "node:path"
import { GensStoreService } from "./GensStoreService.js"

/**
 * The `gens/` folder of a data root, one per data root layer: the disk registry (which reads it) and the
 * artifact store (which writes it) take it from context, so that what one learned (listings, which
 * generations have metadata) the other need not ask the disk again. It uses Node's file system
 * directly (`node:fs`, synchronous calls: see `GensStoreService`), not the `FileSystem` service.
 */
export class GensStore extends Context.Tag("cohort/GensStore")<GensStore, GensStoreService>() {
  /** The store of a data root; its folders start being listed in the background right away. */
  static readonly layer = (dataRoot: string): Layer.Layer<GensStore> =>
    Layer.sync(GensStore, () => {
      const gens = new GensStoreService(nodePath.resolve(dataRoot))
      gens.prefetchListings()
      return gens
    })
}

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
