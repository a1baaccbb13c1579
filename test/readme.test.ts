import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Ref } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import {
  buildCohortMembership,
  catalogBundle,
  cohortSpecFromObject,
  DataRootLayer,
  definitionFromDesignRows,
  InMemoryArtifactStore,
  InMemoryCatalogBundleLoader,
  InMemoryRegistryFactory,
  InMemorySpecRepository,
  PersistedArtifacts,
  planCohort,
  rowsOf
} from "../src/index.js"
import { exampleDataRoot } from "./support/DataRoots.js"
import { repoRoot } from "./support/Fixtures.js"

// The embedding examples of the README, run as written.
describe("README examples", () => {
  it.effect("over a data root on disk (dry run)", () =>
    Effect.gen(function*() {
      const result = yield* buildCohortMembership("daydream-pilot", { dryRun: true }).pipe(
        Effect.provide(DataRootLayer.layerNode(exampleDataRoot))
      )
      expect(result.rowCount).toBe(232)
      expect(result.artifacts).toEqual({})
    }))

  it.effect("entirely in memory", () =>
    Effect.gen(function*() {
      const result = yield* buildCohortMembership("demo", { previewRows: 5, strict: true })
      expect(result.rowCount).toBe(3)
      expect(yield* Ref.get(yield* PersistedArtifacts)).toHaveLength(1)
    }).pipe(Effect.provide(Layer.mergeAll(
      InMemorySpecRepository.layer([{
        cohortId: "demo",
        definition: Effect.runSync(definitionFromDesignRows([
          {
            combo_id: "c1",
            draft_template: "d",
            draft_llm: "m",
            essay_template: "e",
            essay_llm: "m",
            evaluation_template: "v",
            evaluation_llm: "j"
          }
        ])),
        metadata: {}
      }]),
      InMemoryCatalogBundleLoader.layer(catalogBundle({
        combo_mappings: [{
          combo_id: "c1",
          version: "v1",
          concept_id: "x",
          description_level: "p",
          k_max: "2",
          created_at: "t"
        }],
        draft_templates: [{ template_id: "d" }],
        essay_templates: [{ template_id: "e" }],
        evaluation_templates: [{ template_id: "v" }],
        llm_models: [{ id: "m" }, { id: "j" }]
      })),
      InMemoryRegistryFactory.layer,
      InMemoryArtifactStore.layer
    ))))

  it.effect("a spec object, compiled directly and planned from a repository", () =>
    Effect.gen(function*() {
      const stored = {
        axes: {
          combo_id: "@file:combos.txt",
          draft_template: ["d"],
          draft_llm: ["m"],
          essay_template: ["e"],
          essay_llm: ["m"],
          evaluation_template: ["v"],
          evaluation_llm: ["j"]
        },
        output: { field_order: [] }
      }
      const spec = yield* cohortSpecFromObject("demo", stored, { includes: { "combos.txt": "c1\n" }, maxRows: 100_000 })
      expect(spec.metadata["design_rows"]).toBe(1)
      const rows = yield* planCohort("demo").pipe(
        Effect.map((p) => rowsOf(p.membershipPreview)),
        Effect.provide(Layer.mergeAll(
          InMemorySpecRepository.layer([{ cohortId: "demo", spec: stored, includes: { "combos.txt": "c1\n" } }]),
          InMemoryCatalogBundleLoader.layer(catalogBundle({
            combo_mappings: [{
              combo_id: "c1",
              version: "v1",
              concept_id: "x",
              description_level: "p",
              k_max: "2",
              created_at: "t"
            }],
            draft_templates: [{ template_id: "d" }],
            essay_templates: [{ template_id: "e" }],
            evaluation_templates: [{ template_id: "v" }],
            llm_models: [{ id: "m" }, { id: "j" }]
          })),
          InMemoryRegistryFactory.layer
        ))
      )
      expect(rows.map((r) => r["stage"])).toEqual(["draft", "essay", "evaluation"])
    }))
})

/** Every folder under src/ (relative, with a trailing slash), sorted. */
const srcFolders = (dir = "src"): Array<string> =>
  fs.readdirSync(path.join(repoRoot, dir), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => [`${dir}/${entry.name}/`, ...srcFolders(`${dir}/${entry.name}`)])
    .sort()

describe("README's Development section", () => {
  it("shows the layout of src/ one line per folder: every folder, none that is gone", () => {
    const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8")
    const at = readme.indexOf("- The folders of `src/`, one line each")
    expect(at).toBeGreaterThan(0)
    const block = /```text\n([\s\S]*?)```/.exec(readme.slice(at))![1]!
    const listed = block.split("\n").map((line) => line.trim().split(/\s+/)[0]!).filter((f) => f !== "")
    expect([...listed].sort()).toEqual(srcFolders())
    expect(new Set(listed).size).toBe(listed.length)
  })
})
