import { afterEach, describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck as fc, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { signatureOfMetadata } from "../../src/domain/Signature.js"
import { GensStoreService } from "../../src/gens/GensStoreService.js"
import type { RegistryFactory } from "../../src/index.js"
import {
  buildCohortMembership,
  BuildProgress,
  computeGenId,
  DiskRegistryFactory,
  GensStore,
  IdCollision,
  InMemoryCatalogBundleLoader,
  InMemoryRegistryFactory,
  InMemorySpecRepository
} from "../../src/index.js"
import { makeDiskRegistry } from "../../src/layers/DiskRegistryFactory.js"
import { defaultBundle, designRow, specOf } from "../support/Builds.js"
import { useTempRoots } from "../support/DataRoots.js"

const tempRoot = useTempRoots(afterEach, "cohort-registry-")
const plant = (root: string, stage: string, id: string, metadata: Record<string, unknown>) => {
  fs.mkdirSync(path.join(root, "gens", stage, id), { recursive: true })
  fs.writeFileSync(path.join(root, "gens", stage, id, "metadata.json"), JSON.stringify(metadata))
}
const registry = (root: string) =>
  Effect.flatMap(GensStore, (gens) => makeDiskRegistry(gens)).pipe(Effect.provide(GensStore.layer(root)))
const draft = { comboId: "c1", templateId: "t1", llmModelId: "m1", cohortId: "x", replicate: 1 }

describe("DiskRegistryFactory", () => {
  it.effect.prop(
    "on an empty store it gives the same membership as the in-memory registry",
    [fc.array(
      fc.record({
        combo_id: fc.constantFrom("combo-1", "combo-2"),
        draft_template: fc.constantFrom("draft-a", "draft-b"),
        essay_template: fc.constantFrom("essay-a", "essay-c"),
        essay_llm: fc.constantFrom("m1", "m2"),
        evaluation_template: fc.constantFrom("eval-a", "eval-b"),
        evaluation_llm: fc.constantFrom("j1", "j2"),
        evaluation_replicate: fc.constantFrom("1", "2")
      }),
      { minLength: 1, maxLength: 20 }
    )],
    ([rows]) =>
      Effect.gen(function*() {
        const root = tempRoot()
        const common = Layer.mergeAll(
          InMemorySpecRepository([specOf("p", rows.map((r) => designRow(r)))]),
          InMemoryCatalogBundleLoader(defaultBundle())
        )
        const run = (factory: Layer.Layer<RegistryFactory>) =>
          buildCohortMembership("p", { previewRows: 1000 }).pipe(Effect.provide(Layer.merge(common, factory)))
        const disk = yield* run(DiskRegistryFactory.layer.pipe(Layer.provide(GensStore.layer(root))))
        const memory = yield* run(InMemoryRegistryFactory)
        expect(disk.membershipPreview.objects()).toEqual(memory.membershipPreview.objects())
        expect(fs.existsSync(path.join(root, "gens"))).toBe(false)
      }),
    { fastCheck: { numRuns: 25, seed: 1203 } }
  )

  it.effect("an id whose metadata records the same signature is reused", () =>
    Effect.gen(function*() {
      const root = tempRoot()
      const id = yield* computeGenId("draft", ["c1", "t1", "m1", 1])
      plant(root, "draft", id, { combo_id: " C1 ", template_id: "T1", llm_model_id: "m1", replicate: "1" })
      expect(yield* (yield* registry(root)).reserveDraftId(draft)).toBe(id)
    }))

  it.effect("an id taken by another signature moves to the -1 suffix, then -2", () =>
    Effect.gen(function*() {
      const root = tempRoot()
      const id = yield* computeGenId("draft", ["c1", "t1", "m1", 1])
      const first = yield* computeGenId("draft", ["c1", "t1", "m1", 1], 1)
      plant(root, "draft", id, { combo_id: "other", template_id: "t1", llm_model_id: "m1", replicate: 1 })
      expect(yield* (yield* registry(root)).reserveDraftId(draft)).toBe(first)
      expect(first).toMatch(/-1$/)
      plant(root, "draft", first, { combo_id: "other", template_id: "t1", llm_model_id: "m1", replicate: 2 })
      expect(yield* (yield* registry(root)).reserveDraftId(draft)).toBe(
        yield* computeGenId("draft", ["c1", "t1", "m1", 1], 2)
      )
    }))

  it.effect("the batched path resolves collisions the same way", () =>
    Effect.gen(function*() {
      const root = tempRoot()
      const id = yield* computeGenId("evaluation", ["e_x", "v", "j", 1])
      plant(root, "evaluation", id, { parent_gen_id: "e_y", template_id: "v", llm_model_id: "j", replicate: 1 })
      const reg = yield* registry(root)
      const ids = yield* reg.reserveMany!("evaluation", ["e_x|v|j|1", "e_x|v|j|2"])
      expect(ids).toEqual([
        yield* computeGenId("evaluation", ["e_x", "v", "j", 1], 1),
        yield* computeGenId("evaluation", ["e_x", "v", "j", 2])
      ])
    }))

  it.effect.each(
    [
      ["read directly (every id has metadata): the whole stage's total from the first batch", [1, 2, 3, 4, 5]],
      ["through a listing (few have): a total so far, marked as such until the last batch", [2, 5]]
    ] as const
  )("progress counts a stage's metadata over all its batches, %s", ([, planted]) =>
    Effect.gen(function*() {
      const root = tempRoot()
      const batch = (from: number, n: number) => Array.from({ length: n }, (_, i) => `e_x|v|j|${from + i}`)
      for (const replicate of planted) {
        const id = yield* computeGenId("evaluation", ["e_x", "v", "j", replicate])
        plant(root, "evaluation", id, { parent_gen_id: "e_x", template_id: "v", llm_model_id: "j", replicate })
      }
      const events: Array<[string, number, number, boolean]> = []
      const reg = yield* registry(root)
      const progress = {
        update: (phase: string, done: number, total: number, more = false) => events.push([phase, done, total, more])
      }
      yield* reg.reserveMany!("evaluation", batch(1, 3), { start: 0, total: 5 })
        .pipe(Effect.provideService(BuildProgress, progress))
      yield* reg.reserveMany!("evaluation", batch(4, 2), { start: 3, total: 5 })
        .pipe(Effect.provideService(BuildProgress, progress))
      const n = planted.length
      expect(events.at(-1)).toEqual(["existing evaluation metadata", n, n, false])
      for (let i = 1; i < events.length; i++) {
        // Counts never go back between batches, nor does a percentage (shown only of a final total).
        expect(events[i]![1]).toBeGreaterThanOrEqual(events[i - 1]![1])
        const [, done, total, more] = events[i]!
        const [, doneBefore, totalBefore, moreBefore] = events[i - 1]!
        if (!more && !moreBefore) expect(done / total).toBeGreaterThanOrEqual(doneBefore / totalBefore)
      }
      if (n === 5) expect(events.every(([, , total, more]) => total === 5 && !more)).toBe(true)
      else expect(events.filter(([, , , more]) => more).length).toBeGreaterThan(0)
    }))

  // A rerun reads metadata directly (no listing of a large folder) once a sample of its ids mostly has
  // metadata; a listing is used otherwise. Both must resolve every id alike.
  it.effect.prop(
    "reading metadata directly or through a listing resolves ids alike",
    [fc.oneof(
      fc.array(fc.constantFrom("same", "same", "other", "folder", "absent"), { minLength: 1, maxLength: 60 }),
      // Mostly existing (a rerun), read directly: the others at random places among them.
      fc.tuple(
        fc.integer({ min: 30, max: 60 }),
        fc.array(fc.constantFrom("other", "folder", "absent"), { maxLength: 3 })
      )
        .chain(([same, others]) =>
          fc.shuffledSubarray([...Array(same).fill("same"), ...others], { minLength: same + others.length })
        )
    )],
    ([states]) =>
      Effect.gen(function*() {
        const root = tempRoot()
        const canonicals = states.map((_, i) => `e_x|v|j|${i + 1}`)
        for (let i = 0; i < states.length; i++) {
          const id = yield* computeGenId("evaluation", ["e_x", "v", "j", i + 1])
          const meta = { parent_gen_id: "e_x", template_id: "v", llm_model_id: "j", replicate: i + 1 }
          if (states[i] === "same") plant(root, "evaluation", id, meta)
          if (states[i] === "other") plant(root, "evaluation", id, { ...meta, template_id: "w" })
          if (states[i] === "folder") fs.mkdirSync(path.join(root, "gens", "evaluation", id), { recursive: true })
        }
        const reserve = (gens: GensStoreService) =>
          Effect.flatMap(Effect.flatMap(GensStore, (g) => makeDiskRegistry(g)), (r) =>
            r.reserveMany!("evaluation", canonicals)).pipe(
              Effect.provideService(GensStore, gens)
            )
        const direct = new GensStoreService(root)
        const listed = new GensStoreService(root)
        listed.prefetchListings()
        yield* Effect.promise(() =>
          listed.pendingListing("evaluation") ?? Promise.resolve()
        )
        const viaDirect = yield* reserve(direct)
        expect(yield* reserve(listed)).toEqual(viaDirect)
        // (Every id is in the sample here: up to 64 are.)
        const withMetadata = states.filter((s) => s === "same" || s === "other").length / states.length
        expect(direct.readsDirectly("evaluation", [])).toBe(withMetadata >= 0.9)
        expect(listed.readsDirectly("evaluation", [])).toBe(false)
        // What each id became: its own (or a free) folder, or the next candidate past another's; the
        // store then knows alike which of them have metadata (the writes that follow skip those).
        for (let i = 0; i < states.length; i++) {
          expect(viaDirect[i]!.endsWith("-1")).toBe(states[i] === "other")
          expect(direct.hasMetadata("evaluation", viaDirect[i]!)).toBe(states[i] === "same")
          expect(listed.hasMetadata("evaluation", viaDirect[i]!)).toBe(states[i] === "same")
        }
      }),
    { fastCheck: { numRuns: 40, seed: 1204 } }
  )

  it.effect("past the fifth candidate it is IdCollision", () =>
    Effect.gen(function*() {
      const root = tempRoot()
      for (let i = 0; i < 5; i++) {
        plant(root, "draft", yield* computeGenId("draft", ["c1", "t1", "m1", 1], i), {
          combo_id: `other-${i}`,
          template_id: "t1",
          llm_model_id: "m1"
        })
      }
      const error = yield* Effect.flip((yield* registry(root)).reserveDraftId(draft))
      expect(error).toBeInstanceOf(IdCollision)
      expect(error).toMatchObject({ stage: "draft", signature: "c1|t1|m1|1" })
      expect(error.attempts).toHaveLength(5)
    }))

  it.effect("unreadable or signature-less metadata counts as another signature", () =>
    Effect.gen(function*() {
      const root = tempRoot()
      const id = yield* computeGenId("draft", ["c1", "t1", "m1", 1])
      fs.mkdirSync(path.join(root, "gens", "draft", id), { recursive: true })
      fs.writeFileSync(path.join(root, "gens", "draft", id, "metadata.json"), "{ not json")
      expect(yield* (yield* registry(root)).reserveDraftId(draft)).toBe(
        yield* computeGenId("draft", ["c1", "t1", "m1", 1], 1)
      )
    }))

  it("rebuilds signatures from metadata as the original does", () => {
    expect(signatureOfMetadata("draft", { combo_id: "A", template_id: "B", llm_model_id: "C" })).toBe("a|b|c|1")
    expect(signatureOfMetadata("essay", { parent_gen_id: "d_1", essay_template: "E", replicate: 2.0 })).toBe("d_1|e|2")
    expect(
      signatureOfMetadata("evaluation", { parent_gen_id: "e_1", template_id: "V", llm_model_id: "J", replicate: "3" })
    ).toBe("e_1|v|j|3")
    expect(signatureOfMetadata("draft", { combo_id: "A", template_id: "B" })).toBeUndefined()
    expect(signatureOfMetadata("draft", { combo_id: "A", template_id: "B", llm_model_id: "C", replicate: "x" }))
      .toBeUndefined()
  })
})
