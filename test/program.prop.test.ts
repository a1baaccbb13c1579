import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck as fc, Layer, Ref } from "effect"
import {
  buildCohortMembership,
  computeGenId,
  InMemoryArtifactStore,
  InMemoryCatalogBundleLoader,
  InMemoryRegistryFactory,
  InMemorySpecRepository,
  makeInMemoryRegistry,
  PersistedArtifacts,
  RegistryFactory
} from "../src/index.js"
import { defaultBundle, specOf } from "./support/Builds.js"

const pick = <A>(values: ReadonlyArray<A>) => fc.constantFrom(...values)

/** Design rows over the test catalog, with replicates and case variants that make ids collapse. */
const designRows = fc.array(
  fc.record({
    combo_id: pick(["combo-1", "combo-2", "combo-3"]),
    draft_template: pick(["draft-a", "draft-b", "draft-c"]),
    draft_llm: pick(["m1", "m2"]),
    draft_replicate: pick(["1", "2"]),
    essay_template: pick(["essay-a", "essay-b", "essay-c"]),
    essay_llm: pick(["m1", "m2", "None"]),
    evaluation_template: pick(["eval-a", "eval-b", "eval-c"]),
    evaluation_llm: pick(["j1", "j2"]),
    evaluation_replicate: pick(["1", "2", "3"])
  }),
  { minLength: 1, maxLength: 40 }
)

/** A registry factory whose registry has no batch path: one Effect per id, as a third-party registry would. */
const PerCallRegistryFactory = Layer.succeed(RegistryFactory, {
  createRegistry: () =>
    Effect.map(makeInMemoryRegistry, ({ reserveDraftId, reserveEssayId, reserveEvaluationId }) => ({
      reserveDraftId,
      reserveEssayId,
      reserveEvaluationId
    }))
})

const layerFor = (rows: ReadonlyArray<Record<string, unknown>>, registry = InMemoryRegistryFactory.layer) =>
  Layer.mergeAll(
    InMemorySpecRepository.layer([specOf("prop", rows)]),
    InMemoryCatalogBundleLoader.layer(defaultBundle()),
    registry,
    InMemoryArtifactStore.layer
  )

const params = { fastCheck: { numRuns: 60, seed: 1205 } }

describe("buildCohortMembership properties", () => {
  it.effect.prop(
    "every id is computeGenId of its row's signature and every parent exists",
    [designRows],
    ([rows]) =>
      Effect.gen(function*() {
        const result = yield* buildCohortMembership("prop", { previewRows: 10_000 }).pipe(
          Effect.provide(layerFor(rows))
        )
        const table = result.membershipPreview.objects() as Array<Record<string, string | number>>
        const byId = new Map(table.map((r) => [r.gen_id as string, r]))
        for (const r of table) {
          const rep = r.replicate as number
          const expected = r.stage === "draft"
            ? yield* computeGenId("draft", [
              r.combo_id as string,
              r.template_id as string,
              r.llm_model_id as string,
              rep
            ])
            : r.stage === "essay"
            ? yield* computeGenId("essay", [r.parent_gen_id as string, r.template_id as string, rep])
            : yield* computeGenId("evaluation", [
              r.parent_gen_id as string,
              r.template_id as string,
              r.llm_model_id as string,
              rep
            ])
          expect(r.gen_id).toBe(expected)
          if (r.stage !== "draft") {
            const parent = byId.get(r.parent_gen_id as string)
            expect(parent?.stage).toBe(r.stage === "essay" ? "draft" : "essay")
            expect(parent?.combo_id).toBe(r.combo_id)
          }
        }
      }),
    params
  )

  it.effect.prop("row count is the number of unique (stage, gen_id) and the preview is min(previewRows, rows)", [
    designRows,
    fc.integer({ min: 0, max: 60 })
  ], ([rows, previewRows]) =>
    Effect.gen(function*() {
      const result = yield* buildCohortMembership("prop", { previewRows }).pipe(Effect.provide(layerFor(rows)))
      const full = yield* buildCohortMembership("prop", { previewRows: 100_000 }).pipe(Effect.provide(layerFor(rows)))
      const keys = (full.membershipPreview.objects() as Array<Record<string, string>>).map((r) =>
        `${r.stage}/${r.gen_id}`
      )
      expect(new Set(keys).size).toBe(keys.length)
      expect(result.rowCount).toBe(keys.length)
      expect(result.metadata.rows).toBe(keys.length)
      expect(result.membershipPreview.numRows()).toBe(Math.min(previewRows, result.rowCount))
      expect(
        (result.metadata.drafts as number) + (result.metadata.essays as number) +
          (result.metadata.evaluations as number)
      ).toBe(result.rowCount)
    }), params)

  it.effect.prop(
    "a dry run and a persisted run produce the same table and metadata",
    [designRows],
    ([rows]) =>
      Effect.gen(function*() {
        const dry = yield* buildCohortMembership("prop", { dryRun: true, previewRows: 100_000 })
        expect(yield* Ref.get(yield* PersistedArtifacts)).toHaveLength(0)
        const wet = yield* buildCohortMembership("prop", { previewRows: 100_000 })
        const persisted = yield* Ref.get(yield* PersistedArtifacts)
        expect(persisted).toHaveLength(1)
        expect(dry.membershipPreview.objects()).toEqual(wet.membershipPreview.objects())
        expect(persisted[0]!.membership.objects()).toEqual(wet.membershipPreview.objects())
        expect(dry.metadata).toEqual(wet.metadata)
      }).pipe(Effect.provide(layerFor(rows))),
    params
  )

  it.effect.prop(
    "the batched and the per-call registry layers agree",
    [designRows],
    ([rows]) =>
      Effect.gen(function*() {
        const batched = yield* buildCohortMembership("prop", { previewRows: 100_000 }).pipe(
          Effect.provide(layerFor(rows))
        )
        const perCall = yield* buildCohortMembership("prop", { previewRows: 100_000 }).pipe(
          Effect.provide(layerFor(rows, PerCallRegistryFactory))
        )
        expect(perCall.membershipPreview.objects()).toEqual(batched.membershipPreview.objects())
        expect(perCall.metadata).toEqual(batched.metadata)
      }),
    params
  )
})
