import { Context, Effect, Layer } from "effect"
import * as nodePath from "node:path"
import { echoed } from "../domain/TerminalText.js"
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

/**
 * The `GensStore` of the data root `dataRoot`, from context. One of another data root is a defect: the
 * caller composed its layers over two roots (reads and writes would go to different stores).
 */
export const gensStoreOf = (dataRoot: string): Effect.Effect<GensStoreService, never, GensStore> =>
  Effect.flatMap(GensStore, (gens) => {
    const root = nodePath.resolve(dataRoot)
    return gens.root === root ? Effect.succeed(gens) : Effect.dieMessage(
      `the data root ${echoed(root)} was given the GensStore of another data root (${echoed(gens.root)})`
    )
  })

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
