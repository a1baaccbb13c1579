import { NodeContext } from "@effect/platform-node"
import { afterEach, describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { buildCohortMembership, CatalogBundleLoader, dataRootLayer } from "../../src/index.js"
import { snapshot, useExampleDataRoots } from "../support/DataRoots.js"

const { fresh: freshRoot } = useExampleDataRoots(afterEach)
const live = (root: string) => dataRootLayer(root).pipe(Layer.provide(NodeContext.layer))
const load = (root: string) =>
  Effect.flatMap(CatalogBundleLoader, (l) => l.loadForSpec({ cohortId: "x", metadata: {} })).pipe(
    Effect.provide(live(root))
  )
const build = (root: string) => buildCohortMembership("daydream-pilot").pipe(Effect.provide(live(root)))

const files: Array<[string, string]> = [
  ["combo_mappings", "combo_mappings.csv"],
  ["draft_templates", "1_raw/draft_templates.csv"],
  ["essay_templates", "1_raw/essay_templates.csv"],
  ["evaluation_templates", "1_raw/evaluation_templates.csv"],
  ["llm_models", "1_raw/llm_models.csv"]
]

describe("CsvCatalogBundleLoader", () => {
  it.effect("loads the five slices and the replication config as string tables", () =>
    Effect.gen(function*() {
      const root = freshRoot()
      const bundle = yield* load(root)
      expect(Object.keys(bundle.frames).sort()).toEqual([...files.map(([s]) => s), "replication_config"].sort())
      expect(bundle.frames["combo_mappings"]!.columnNames()).toEqual([
        "combo_id",
        "version",
        "concept_id",
        "description_level",
        "k_max",
        "created_at"
      ])
      expect(typeof bundle.frames["combo_mappings"]!.get("k_max", 0)).toBe("string")
      expect(bundle.metadata["catalog_files"]).toMatchObject({ llm_models: path.join(root, "1_raw", "llm_models.csv") })
    }))

  for (const [slice, file] of files) {
    it.effect(`a missing ${file} is CatalogMissing naming it, and nothing is written`, () =>
      Effect.gen(function*() {
        const root = freshRoot()
        fs.rmSync(path.join(root, file))
        const before = snapshot(root)
        const error = yield* Effect.flip(build(root))
        expect(error).toMatchObject({ _tag: "CatalogMissing", slice, path: path.join(root, file) })
        expect(snapshot(root)).toEqual(before)
      }))
  }

  it.effect("a combo catalog without k_max is CatalogIncomplete", () =>
    Effect.gen(function*() {
      const root = freshRoot()
      const file = path.join(root, "combo_mappings.csv")
      const lines = fs.readFileSync(file, "utf8").trimEnd().split("\n").map((l) =>
        l.split(",").filter((_, i) => i !== 4).join(",")
      )
      fs.writeFileSync(file, lines.join("\n") + "\n")
      const error = yield* Effect.flip(build(root))
      expect(error).toMatchObject({ _tag: "CatalogIncomplete", slice: "combo_mappings", missingColumns: ["k_max"] })
    }))

  it.effect("an empty combo catalog (header only, or no bytes) is CatalogMissing", () =>
    Effect.gen(function*() {
      const root = freshRoot()
      const file = path.join(root, "combo_mappings.csv")
      fs.writeFileSync(file, "combo_id,version,concept_id,description_level,k_max,created_at\n")
      expect(yield* Effect.flip(build(root))).toMatchObject({
        _tag: "CatalogMissing",
        slice: "combo_mappings",
        reason: "has no rows"
      })
      fs.writeFileSync(file, "")
      expect(yield* Effect.flip(build(root))).toMatchObject({ _tag: "CatalogMissing", slice: "combo_mappings" })
    }))

  it.effect("a BOM, CRLF line ends and quoted fields with commas and newlines parse", () =>
    Effect.gen(function*() {
      const root = freshRoot()
      const file = path.join(root, "1_raw", "llm_models.csv")
      const text = fs.readFileSync(file, "utf8").replace(/\n/g, "\r\n")
        .replace("sonnet-4,", "\"sonnet-4\",").replace(/\r\n$/, "\r\nquoted,\"a, b\",p,\"line one\r\nline two\",x\r\n")
      fs.writeFileSync(file, "\ufeff" + text)
      const bundle = yield* load(root)
      const ids = bundle.frames["llm_models"]!.array("id") as Array<string>
      expect(bundle.frames["llm_models"]!.columnNames()[0]).toBe("id")
      expect(ids).toContain("sonnet-4")
      expect(ids).toContain("quoted")
      expect(bundle.frames["llm_models"]!.get("display_name", ids.indexOf("quoted"))).toBe("line one\r\nline two")
      expect((yield* build(root)).rowCount).toBe(232)
    }))

  it.effect("a template CSV with the legacy active column is refused", () =>
    Effect.gen(function*() {
      const root = freshRoot()
      const file = path.join(root, "1_raw", "draft_templates.csv")
      const lines = fs.readFileSync(file, "utf8").trimEnd().split("\n")
      fs.writeFileSync(file, lines.map((l, i) => `${l},${i === 0 ? "active" : "true"}`).join("\n") + "\n")
      const error = yield* Effect.flip(build(root))
      expect(error).toMatchObject({ _tag: "CatalogInvalid", slice: "draft_templates", path: file })
      expect(error.message).toContain("active")
    }))

  it.effect("a ragged row or bytes that are not UTF-8 are CatalogInvalid naming the file", () =>
    Effect.gen(function*() {
      const root = freshRoot()
      const file = path.join(root, "1_raw", "evaluation_templates.csv")
      fs.appendFileSync(file, "too,many,fields,in,this,row,here\n")
      expect(yield* Effect.flip(build(root))).toMatchObject({ _tag: "CatalogInvalid", path: file })
      fs.writeFileSync(file, Buffer.from([0x74, 0x65, 0xff, 0xfe, 0x0a]))
      const error = yield* Effect.flip(build(root))
      expect(error).toMatchObject({ _tag: "CatalogInvalid", path: file })
      expect(error.message).toContain("UTF-8")
    }))
})
