import { NodeContext } from "@effect/platform-node"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import {
  buildCohortMembership,
  cohortSpecFromObject,
  CohortSpecRepository,
  DEFAULT_MAX_ROWS,
  FileSystemSpecRepository,
  GensStore,
  InMemoryCatalogBundleLoader,
  InMemoryRegistryFactory,
  InMemorySpecRepository,
  InvalidConstraint,
  InvalidSpec
} from "../../src/index.js"
import { defaultBundle, designRow, specOf } from "../support/Builds.js"

const includes = {
  "items/combos.csv": "combo_id\ncombo-1\ncombo-2\n",
  "items/essay_bundle.csv": "essay_template,essay_llm\nessay-a,m2\nessay-b,m2\n"
}

/** A spec as a database would keep it: a parsed mapping whose includes are stored beside it. */
const pilot = {
  axes: {
    combo_id: "@file:items/combos.csv",
    draft_template: ["draft-a", "draft-b"],
    draft_llm: ["m1"],
    evaluation_template: ["eval-a", "eval-b"],
    evaluation_llm: ["j1"]
  },
  rules: {
    tuples: { essay_bundle: { axes: ["essay_template", "essay_llm"], items: "@file:items/essay_bundle.csv" } },
    pairs: {
      draft_essay: {
        left: "draft_template",
        right: "essay_bundle",
        allowed: [["draft-a", ["essay-a", "m2"]], ["draft-b", ["essay-b", "m2"]]]
      }
    }
  },
  output: {
    field_order: [
      "combo_id",
      "draft_template",
      "draft_llm",
      "essay_template",
      "essay_llm",
      "evaluation_template",
      "evaluation_llm"
    ]
  }
}

/** `axes` whose product has `n ** k` rows. */
const grid = (n: number, k: number) => ({
  axes: Object.fromEntries(
    Array.from({ length: k }, (_, a) => [`a${a}`, Array.from({ length: n }, (_, i) => `v${i}`)])
  ),
  output: { field_order: [] }
})

layer(NodeContext.layer)("cohortSpecFromObject", (it) => {
  it.scoped("gives the definition and metadata the file repository gives for the same spec and includes", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const root = yield* fs.makeTempDirectoryScoped({ prefix: "cohort-object-" })
      const folder = path.join(root, "cohorts", "pilot", "spec")
      yield* fs.makeDirectory(path.join(folder, "items"), { recursive: true })
      // JSON is YAML, and its bytes are the text the object's hash is taken of.
      yield* fs.writeFileString(path.join(folder, "config.yaml"), JSON.stringify(pilot))
      for (const [name, text] of Object.entries(includes)) yield* fs.writeFileString(path.join(folder, name), text)
      const fromFile = yield* Effect.flatMap(CohortSpecRepository, (r) => r.get("pilot")).pipe(
        Effect.provide(FileSystemSpecRepository.layer(root)),
        Effect.provide(GensStore.layer(root))
      )
      const fromObject = yield* cohortSpecFromObject("pilot", pilot, { includes, seed: 7 })
      const fromFileSeeded = yield* Effect.flatMap(CohortSpecRepository, (r) => r.get("pilot")).pipe(
        Effect.provide(FileSystemSpecRepository.layer(root, { seed: 7 })),
        Effect.provide(GensStore.layer(root))
      )
      expect(fromObject.definition).toEqual(fromFileSeeded.definition)
      expect(fromObject.definition!.evaluations.length).toBe(2 * 2 * 2)
      expect({ ...fromObject.metadata, spec_path: "" }).toEqual({ ...fromFileSeeded.metadata, spec_path: "" })
      expect(fromObject.metadata["spec_path"]).toBe("memory://cohorts/pilot/spec")
      expect(fromObject.metadata["spec_includes"]).toEqual(fromFile.metadata["spec_includes"])
      expect((fromObject.metadata["spec_includes"] as ReadonlyArray<{ path: string }>).map((i) => i.path)).toEqual([
        "items/combos.csv",
        "items/essay_bundle.csv"
      ])
    }))

  it.effect("an include the caller did not pass is a clear InvalidSpec naming the key, not a file lookup", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        cohortSpecFromObject("pilot", pilot, { includes: { "items/combos.csv": includes["items/combos.csv"] } })
      )
      expect(error).toBeInstanceOf(InvalidSpec)
      expect(error).toMatchObject({ path: "memory://cohorts/pilot/spec", key: "rules.tuples.essay_bundle.items" })
      expect(error.message).toContain("includes[\"items/essay_bundle.csv\"]")
      const none = yield* Effect.flip(cohortSpecFromObject("pilot", pilot, { source: "db:spec/42" }))
      expect(none).toMatchObject({ _tag: "InvalidSpec", path: "db:spec/42", key: "axes.combo_id" })
    }))

  it.effect("the spec rules still apply: a bad value is InvalidSpec, a bad cohort id InvalidConstraint", () =>
    Effect.gen(function*() {
      const bad = yield* Effect.flip(
        cohortSpecFromObject("pilot", { ...pilot, axes: { ...pilot.axes, draft_llm: 3 } }, { includes })
      )
      expect(bad).toMatchObject({ _tag: "InvalidSpec", key: "axes.draft_llm" })
      const id = yield* Effect.flip(cohortSpecFromObject("../up", pilot, { includes }))
      expect(id).toBeInstanceOf(InvalidConstraint)
      expect(id).toMatchObject({ constraint: "cohort-id", cohortId: "../up" })
    }))

  it.effect("refuses a design above the default cap of 5,000,000 rows before making any, and honours maxRows", () =>
    Effect.gen(function*() {
      expect(DEFAULT_MAX_ROWS).toBe(5_000_000)
      // 10^9 rows: refused from the plan's size alone (this would not finish if rows were made).
      const huge = yield* Effect.flip(cohortSpecFromObject("huge", grid(1000, 3)))
      expect(huge).toMatchObject({
        _tag: "InvalidSpec",
        reason: "the design would have 1,000,000,000 rows, more than the limit of 5,000,000"
      })
      const small = yield* Effect.flip(cohortSpecFromObject("pilot", pilot, { includes, maxRows: 7 }))
      expect(small).toMatchObject({
        _tag: "InvalidSpec",
        reason: "the design would have 8 rows, more than the limit of 7"
      })
      const exact = yield* cohortSpecFromObject("pilot", pilot, { includes, maxRows: 8 })
      expect(exact.metadata["design_rows"]).toBe(8)
    }))
})

describe("InMemorySpecRepository", () => {
  const services = (
    specs: Parameters<typeof InMemorySpecRepository>[0],
    options?: Parameters<typeof InMemorySpecRepository>[1]
  ) =>
    Layer.mergeAll(
      InMemorySpecRepository(specs, options),
      InMemoryCatalogBundleLoader(defaultBundle()),
      InMemoryRegistryFactory
    )

  it.effect("takes spec objects beside ready CohortSpecs, and builds both", () =>
    Effect.gen(function*() {
      const layer = services([{ cohortId: "pilot", spec: pilot, includes }, specOf("ready", [designRow()])])
      const fromObject = yield* buildCohortMembership("pilot", { dryRun: true }).pipe(Effect.provide(layer))
      expect(fromObject.rowCount).toBe(4 + 4 + 8)
      expect(fromObject.metadata["spec_path"]).toBe("memory://cohorts/pilot/spec")
      const ready = yield* buildCohortMembership("ready", { dryRun: true }).pipe(Effect.provide(layer))
      expect(ready.rowCount).toBe(3)
    }))

  it.effect("an invalid spec object fails its get with InvalidSpec; the repository's row cap applies", () =>
    Effect.gen(function*() {
      const layer = services([{ cohortId: "bad", spec: { axes: [] } }, { cohortId: "wide", spec: grid(4, 2) }], {
        maxRows: 10
      })
      const bad = yield* Effect.flip(buildCohortMembership("bad").pipe(Effect.provide(layer)))
      expect(bad).toMatchObject({ _tag: "InvalidSpec", path: "memory://cohorts/bad/spec" })
      const wide = yield* Effect.flip(buildCohortMembership("wide").pipe(Effect.provide(layer)))
      expect(wide).toMatchObject({
        _tag: "InvalidSpec",
        reason: "the design would have 16 rows, more than the limit of 10"
      })
    }))
})
