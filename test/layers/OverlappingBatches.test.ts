import { afterEach, describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck as fc, Fiber } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { generateMembership, MembershipBatchSize } from "../../src/domain/MembershipGeneration.js"
import { computeGenId, GensStore } from "../../src/index.js"
import { makeDiskRegistry } from "../../src/layers/DiskRegistryFactory.js"
import { makeInMemoryRegistry } from "../../src/layers/InMemoryRegistryFactory.js"
import type { GenerationRegistry } from "../../src/services/GenerationRegistry.js"
import { definitionOf, designRow } from "../support/Builds.js"
import { useTempRoots } from "../support/DataRoots.js"

// The disk registry lets a build ask for a stage's next batch of ids before the last batch returned
// (`overlappingBatches`: the next batch's reads go on in a worker while this one's rows are added). The
// batches must still come out as if asked for one after another: the same ids, the same warnings in the
// same order.

const tempRoot = useTempRoots(afterEach, "cohort-overlap-")
const plantText = (root: string, stage: string, id: string, text: string) => {
  fs.mkdirSync(path.join(root, "gens", stage, id), { recursive: true })
  fs.writeFileSync(path.join(root, "gens", stage, id, "metadata.json"), text)
}
const diskRegistry = (root: string) =>
  Effect.flatMap(GensStore, (gens) => makeDiskRegistry(gens)).pipe(Effect.provide(GensStore.layer(root)))
/** The same registry, asked one batch at a time. */
const oneAtATime = (registry: GenerationRegistry): GenerationRegistry => ({ ...registry, overlappingBatches: false })

describe("overlapping batches of the disk registry", () => {
  it.effect("a later batch that finishes its reads first still takes its results after the earlier one", () =>
    Effect.gen(function*() {
      const root = tempRoot()
      // Batch 0: 3,000 ids (several steps of reads, yielding between them), the first unreadable; batch 1:
      // one unreadable id, read at once. Each unreadable one is a warning; batch 0's comes first.
      const first = Array.from({ length: 3000 }, (_, i) => `e_x|v|j|${i + 1}`)
      for (let i = 0; i < first.length; i++) {
        const id = yield* computeGenId("evaluation", ["e_x", "v", "j", i + 1])
        const meta = { parent_gen_id: "e_x", template_id: "v", llm_model_id: "j", replicate: i + 1 }
        plantText(root, "evaluation", id, i === 0 ? "{ not json" : JSON.stringify(meta))
      }
      plantText(root, "evaluation", yield* computeGenId("evaluation", ["e_y", "v", "j", 1]), "[]")
      const second = ["e_y|v|j|1"]
      const batches = [[first, { start: 0, total: 3001 }], [second, { start: 3000, total: 3001 }]] as const

      const sequential = yield* diskRegistry(root)
      const one = []
      for (const [canonicals, batch] of batches) {
        one.push(yield* sequential.reserveMany!("evaluation", canonicals, batch))
      }

      const overlapping = yield* diskRegistry(root)
      expect(overlapping.overlappingBatches).toBe(true)
      const fibers = []
      const finished: Array<number> = []
      for (const [k, [canonicals, batch]] of batches.entries()) {
        fibers.push(
          yield* Effect.fork(
            overlapping.reserveMany!("evaluation", canonicals, batch).pipe(Effect.tap(() => finished.push(k)))
          )
        )
      }
      const both = yield* Fiber.join(Fiber.all(fibers))
      expect(both).toEqual(one)
      expect(overlapping.warnings!()).toEqual(sequential.warnings!())
      expect(sequential.warnings!()).toHaveLength(2)
      expect(sequential.warnings!()[0]).toContain("not JSON")
      expect(finished).toEqual([0, 1])
    }))

  it.effect("a collision past the fifth candidate in a middle batch fails the membership with it, overlapping or not", () =>
    Effect.gen(function*() {
      const root = tempRoot()
      const rows = ["eval-a", "eval-b", "eval-c"].flatMap((t) =>
        ["j1", "j2"].map((l) => designRow({ evaluation_template: t, evaluation_llm: l }))
      )
      const definition = definitionOf(rows)
      const pure = yield* generateMembership(definition, "x", yield* makeInMemoryRegistry)
      const first = pure.stage.indexOf("evaluation")
      // Batches of two: the third evaluation (the second batch) has all five candidates holding another's
      // metadata; the fifth (the third batch) has unreadable metadata, which no batch after the failing
      // one may note as a warning (the third either never runs or takes nothing).
      const signature = (i: number) =>
        [pure.parentGenId[i]!, pure.templateId[i]!, pure.llmModelId[i]!, Number(pure.replicate[i])] as const
      for (let attempt = 0; attempt < 5; attempt++) {
        const id = yield* computeGenId("evaluation", [...signature(first + 2)], attempt)
        plantText(
          root,
          "evaluation",
          id,
          JSON.stringify({ parent_gen_id: "e_other", template_id: "t", llm_model_id: "j", replicate: 1 })
        )
      }
      plantText(root, "evaluation", pure.genId[first + 4]!, "{ not json")
      const registry = yield* diskRegistry(root)
      const error = yield* Effect.flip(
        generateMembership(definition, "x", registry).pipe(Effect.provideService(MembershipBatchSize, 2))
      )
      expect(error._tag).toBe("IdCollision")
      expect(error).toMatchObject({ stage: "evaluation", signature: signature(first + 2).join("|") })
      expect(registry.warnings!()).toEqual([])
      // One batch at a time, the third batch is never asked for: the same.
      const sequential = yield* diskRegistry(root)
      yield* Effect.flip(
        generateMembership(definition, "x", oneAtATime(sequential)).pipe(Effect.provideService(MembershipBatchSize, 2))
      )
      expect(sequential.warnings!()).toEqual([])
    }))

  it.effect("a batch waiting for one that fails takes nothing (no warning of its own metadata)", () =>
    Effect.gen(function*() {
      const root = tempRoot()
      // 18,000 evaluations in batches of 6,000. The second batch's reads take several steps (6,000
      // folders, 2,000 a step) and its last evaluation collides past the fifth candidate; the third batch,
      // asked for meanwhile, reads its one folder (unreadable metadata) at once and waits for the second.
      const rows = Array.from({ length: 60 }, (_, t) => t).flatMap((t) =>
        ["j0", "j1", "j2"].flatMap((l) =>
          Array.from(
            { length: 100 },
            (_, r) =>
              designRow({ evaluation_template: `ev-${t}`, evaluation_llm: l, evaluation_replicate: String(r + 1) })
          )
        )
      )
      const definition = definitionOf(rows)
      const pure = yield* generateMembership(definition, "x", yield* makeInMemoryRegistry)
      const first = pure.stage.indexOf("evaluation")
      const meta = (i: number) => ({
        parent_gen_id: pure.parentGenId[i],
        template_id: pure.templateId[i],
        llm_model_id: pure.llmModelId[i],
        replicate: Number(pure.replicate[i])
      })
      for (let i = first + 6000; i < first + 11_999; i++) {
        plantText(root, "evaluation", pure.genId[i]!, JSON.stringify(meta(i)))
      }
      const failing = first + 11_999
      const signature = [
        pure.parentGenId[failing]!,
        pure.templateId[failing]!,
        pure.llmModelId[failing]!,
        Number(pure.replicate[failing])
      ] as const
      for (let attempt = 0; attempt < 5; attempt++) {
        const id = yield* computeGenId("evaluation", [...signature], attempt)
        plantText(root, "evaluation", id, JSON.stringify({ ...meta(failing), parent_gen_id: "e_other" }))
      }
      plantText(root, "evaluation", pure.genId[first + 12_000]!, "{ not json")
      for (const registry of [yield* diskRegistry(root), oneAtATime(yield* diskRegistry(root))]) {
        const error = yield* Effect.flip(
          generateMembership(definition, "x", registry).pipe(Effect.provideService(MembershipBatchSize, 6000))
        )
        expect(error).toMatchObject({ _tag: "IdCollision", signature: signature.join("|") })
        expect(registry.warnings!()).toEqual([])
      }
    }))

  it.effect("a registry asked again after a failed batch answers as a new one would", () =>
    Effect.gen(function*() {
      const root = tempRoot()
      for (let attempt = 0; attempt < 5; attempt++) {
        const id = yield* computeGenId("evaluation", ["e_x", "v", "j", 1], attempt)
        plantText(root, "evaluation", id, JSON.stringify({ parent_gen_id: "e_o", template_id: "v", llm_model_id: "j" }))
      }
      const registry = yield* diskRegistry(root)
      const failed = yield* Effect.flip(registry.reserveMany!("evaluation", ["e_x|v|j|1"]))
      expect(failed._tag).toBe("IdCollision")
      expect(yield* registry.reserveMany!("evaluation", ["e_x|v|j|2"])).toEqual([
        yield* computeGenId("evaluation", ["e_x", "v", "j", 2])
      ])
    }))

  it.effect.prop(
    "a membership over a store with others' and unreadable metadata comes out the same, batches overlapping or not",
    [
      fc.array(
        fc.record({
          combo_id: fc.constantFrom("combo-1", "combo-2"),
          essay_template: fc.constantFrom("essay-a", "essay-c"),
          evaluation_template: fc.constantFrom("eval-a", "eval-b", "eval-c"),
          evaluation_llm: fc.constantFrom("j1", "j2"),
          evaluation_replicate: fc.constantFrom("1", "2", "3")
        }),
        { minLength: 1, maxLength: 30 }
      ),
      // What the store holds at each evaluation's plain id (cycled over the evaluations).
      fc.array(fc.constantFrom("same", "same", "other", "unreadable", "folder", "absent"), {
        minLength: 1,
        maxLength: 12
      }),
      fc.integer({ min: 1, max: 6 })
    ],
    ([rows, states, batchSize]) =>
      Effect.gen(function*() {
        const root = tempRoot()
        const definition = definitionOf(rows.map((r) => designRow(r)))
        const pure = yield* generateMembership(definition, "x", yield* makeInMemoryRegistry)
        let e = 0
        for (let i = 0; i < pure.genId.length; i++) {
          if (pure.stage[i] !== "evaluation") continue
          const state = states[e++ % states.length]!
          const meta = {
            parent_gen_id: pure.parentGenId[i],
            template_id: pure.templateId[i],
            llm_model_id: pure.llmModelId[i],
            replicate: Number(pure.replicate[i])
          }
          if (state === "same") plantText(root, "evaluation", pure.genId[i]!, JSON.stringify(meta))
          if (state === "other") {
            plantText(root, "evaluation", pure.genId[i]!, JSON.stringify({ ...meta, replicate: 99 }))
          }
          if (state === "unreadable") plantText(root, "evaluation", pure.genId[i]!, "{")
          if (state === "folder") {
            fs.mkdirSync(path.join(root, "gens", "evaluation", pure.genId[i]!), { recursive: true })
          }
        }
        const run = (registry: GenerationRegistry) =>
          generateMembership(definition, "x", registry).pipe(Effect.provideService(MembershipBatchSize, batchSize))
        const overlapping = yield* diskRegistry(root)
        const sequential = yield* diskRegistry(root)
        const a = yield* run(overlapping)
        const b = yield* run(oneAtATime(sequential))
        expect(a).toEqual(b)
        expect(overlapping.warnings!()).toEqual(sequential.warnings!())
        // Every id past another's (or unreadable) metadata moved on to a suffix.
        const moved = a.genId.filter((id, i) => a.stage[i] === "evaluation" && id !== pure.genId[i]).length
        const taken = Array.from({ length: e }, (_, k) => states[k % states.length]).filter((s) =>
          s === "other" || s === "unreadable"
        ).length
        expect(moved).toBe(taken)
      }),
    { fastCheck: { numRuns: 30, seed: 1204 } }
  )

  it.effect("evaluation ids are asked for 4,096 at a time of a registry of pure ids, 65,536 of one over the store", () =>
    Effect.gen(function*() {
      // 2 combos × 2 essay templates × 3 evaluation templates × 2 judges × 300 replicates: 7,200 evaluations.
      const rows = []
      for (const combo_id of ["combo-1", "combo-2"]) {
        for (const essay_template of ["essay-a", "essay-c"]) {
          for (const evaluation_template of ["eval-a", "eval-b", "eval-c"]) {
            for (const evaluation_llm of ["j1", "j2"]) {
              for (let r = 1; r <= 300; r++) {
                rows.push(
                  designRow({
                    combo_id,
                    essay_template,
                    evaluation_template,
                    evaluation_llm,
                    evaluation_replicate: String(r)
                  })
                )
              }
            }
          }
        }
      }
      const definition = definitionOf(rows)
      /** The in-memory registry, its evaluation batches' sizes noted; `pureIds` as told. */
      const spied = (pureIds: boolean) =>
        Effect.map(makeInMemoryRegistry, (registry) => {
          const sizes: Array<number> = []
          const spy: GenerationRegistry = {
            ...registry,
            pureIds,
            reserveMany: (stage, canonicals, batch) => {
              if (stage === "evaluation") sizes.push(canonicals.length)
              return registry.reserveMany!(stage, canonicals, batch)
            }
          }
          return { spy, sizes }
        })
      const pure = yield* spied(true)
      const store = yield* spied(false)
      const told = yield* spied(true)
      const a = yield* generateMembership(definition, "x", pure.spy)
      const b = yield* generateMembership(definition, "x", store.spy)
      const c = yield* generateMembership(definition, "x", told.spy).pipe(
        Effect.provideService(MembershipBatchSize, 1000)
      )
      expect(a.counts.evaluation).toBe(7200)
      expect(pure.sizes).toEqual([4096, 7200 - 4096])
      expect(store.sizes).toEqual([7200])
      expect(told.sizes).toEqual([...Array.from({ length: 7 }, () => 1000), 200])
      // The batches change nothing of the membership.
      expect(b).toEqual(a)
      expect(c).toEqual(a)
    }))
})
