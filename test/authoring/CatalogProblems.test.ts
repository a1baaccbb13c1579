import { NodeContext } from "@effect/platform-node"
import { afterEach, describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import {
  buildCohortMembership,
  catalogAndCoverageProblems,
  CatalogBundleLoader,
  CatalogMissing,
  dataRootLayer,
  InMemoryRegistryFactory,
  InMemorySpecRepository
} from "../../src/index.js"
import { buildLayer, defaultBundle, designRow, specOf } from "../support/Builds.js"
import { snapshot, useExampleDataRoots } from "../support/DataRoots.js"

const { fresh: freshRoot } = useExampleDataRoots(afterEach)
const live = (root: string) => dataRootLayer(root).pipe(Layer.provide(NodeContext.layer))

/** Three independent catalog mistakes: a file missing, a file not UTF-8, a template file with `active`. */
const breakCatalogs = (root: string) => {
  const raw = (name: string) => path.join(root, "1_raw", name)
  fs.rmSync(raw("essay_templates.csv"))
  fs.writeFileSync(raw("llm_models.csv"), Buffer.from([0x69, 0x64, 0x0a, 0xff, 0xfe, 0x0a]))
  const lines = fs.readFileSync(raw("draft_templates.csv"), "utf8").trimEnd().split("\n")
  fs.writeFileSync(raw("draft_templates.csv"), lines.map((l, i) => `${l},${i === 0 ? "active" : "true"}`).join("\n"))
  return raw
}

describe("every catalog problem at once", () => {
  it.effect(
    "inspectForSpec lists each bad file (tag, slice, path, reason) in file order; loadForSpec fails at the first",
    () => {
      const root = freshRoot()
      const raw = breakCatalogs(root)
      return Effect.gen(function*() {
        const before = snapshot(root)
        const loader = yield* CatalogBundleLoader
        const inspection = yield* loader.inspectForSpec!({ cohortId: "x", metadata: {} })
        expect(inspection.problems.map((p) => [p._tag, p.slice, p.path])).toEqual([
          ["CatalogInvalid", "draft_templates", raw("draft_templates.csv")],
          ["CatalogMissing", "essay_templates", raw("essay_templates.csv")],
          ["CatalogInvalid", "llm_models", raw("llm_models.csv")]
        ])
        expect(inspection.problems[0]!.message).toContain("'active'")
        expect(inspection.problems[2]!.message).toContain("UTF-8")
        // The good files are read all the same.
        expect(Object.keys(inspection.bundle.frames).sort()).toEqual([
          "combo_mappings",
          "evaluation_templates",
          "replication_config"
        ])
        const first = yield* Effect.flip(loader.loadForSpec({ cohortId: "x", metadata: {} }))
        expect({ ...first }).toEqual({ ...inspection.problems[0]! })
        const all = yield* catalogAndCoverageProblems("daydream-pilot")
        expect(all.map((p) => p._tag)).toEqual(["CatalogInvalid", "CatalogMissing", "CatalogInvalid"])
        // A build still stops at the first, and nothing is written.
        const error = yield* Effect.flip(buildCohortMembership("daydream-pilot"))
        expect({ ...error }).toEqual({ ...inspection.problems[0]! })
        expect(snapshot(root)).toEqual(before)
      }).pipe(Effect.provide(live(root)))
    },
    60_000
  )

  it.effect("the in-memory loader: each missing slice is listed, with the coverage gaps of the slices that are there", () =>
    Effect.gen(function*() {
      const problems = yield* catalogAndCoverageProblems("pilot")
      expect(problems.map((p) => [p._tag, "slice" in p ? p.slice : p.field])).toEqual([
        ["CatalogMissing", "draft_templates"],
        ["CatalogMissing", "llm_models"],
        ["CoverageGap", "template_id"]
      ])
    }).pipe(Effect.provide(buildLayer(
      [specOf("pilot", [designRow({ essay_template: "essay-x" })])],
      defaultBundle({ draft_templates: undefined, llm_models: undefined })
    ))))

  it.effect("an embedder's loader without inspectForSpec: its one error is the one catalog problem", () => {
    const failure = new CatalogMissing({ slice: "llm_models", path: "/data/1_raw/llm_models.csv" })
    const failing = Layer.succeed(CatalogBundleLoader, { loadForSpec: () => Effect.fail(failure) })
    return Effect.gen(function*() {
      const problems = yield* catalogAndCoverageProblems("pilot")
      expect(problems.map((p) => ({ ...p }))).toEqual([{ ...failure }])
    }).pipe(Effect.provide(Layer.mergeAll(
      InMemorySpecRepository([specOf("pilot", [designRow()])]),
      failing,
      InMemoryRegistryFactory
    )))
  })
})
