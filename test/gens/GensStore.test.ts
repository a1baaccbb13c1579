import { afterEach, describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import type { DiskRegistryFactory, FileSystemArtifactStore } from "../../src/index.js"
import { buildCohortMembership, dataRootLive, GensStore, RegistryFactory } from "../../src/index.js"
import { useExampleDataRoots } from "../support/DataRoots.js"

const { fresh: freshRoot } = useExampleDataRoots(afterEach)

// What needs the store says so in its type: neither layer can be built without a GensStore in context
// (these two lines fail to compile if one stops requiring it).
const registryNeedsGens: GensStore extends Layer.Layer.Context<typeof DiskRegistryFactory.layer> ? true : false = true
const storeNeedsGens: GensStore extends Layer.Layer.Context<ReturnType<typeof FileSystemArtifactStore.layer>> ? true
  : false = true

describe("GensStore", () => {
  it("is required by the disk registry and the artifact store", () => {
    expect([registryNeedsGens, storeNeedsGens]).toEqual([true, true])
  })

  it.scoped("the registry and the artifact store of one data-root layer share its one instance", () =>
    Effect.gen(function*() {
      const context = yield* Layer.build(dataRootLive(freshRoot()))
      const shared = yield* Effect.provide(GensStore, context)
      const result = yield* buildCohortMembership("daydream-pilot", { previewRows: 0 }).pipe(Effect.provide(context))
      const written = Number(result.artifacts["generations_written"])
      expect(written).toBe(result.rowCount)
      // The store recorded its writes in this instance, and found the folders through the listings the
      // registry waited for: one directory listing per stage for the whole build, none of the store's own.
      expect(shared.stats()).toEqual({ listingsRead: 3, knownPresent: written, readDirectly: [] })
      // A new registry starts a new build: it resets the store it reads, so what this instance knew is
      // forgotten only if the registry's store is this one (the disk registry reads neither argument).
      yield* Effect.flatMap(RegistryFactory, (factory) => factory.createRegistry(result.metadata as never, {})).pipe(
        Effect.provide(context)
      )
      expect(shared.stats().knownPresent).toBe(0)
    }))
})
