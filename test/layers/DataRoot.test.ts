import { NodeContext } from "@effect/platform-node"
import { afterEach, describe, expect, it } from "@effect/vitest"
import * as aq from "arquero"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import {
  buildCohortMembership,
  CsvCatalogBundleLoader,
  dataRootLayer,
  FileSystemArtifactStore,
  FileSystemSpecRepository,
  GensStore,
  InMemoryRegistryFactory,
  MEMBERSHIP_COLUMNS,
  MembershipArtifactStore,
  RegistryFactory
} from "../../src/index.js"
import { snapshot, useExampleDataRoots } from "../support/DataRoots.js"
import { fixturePath, readCsv, readText } from "../support/Fixtures.js"

const expected = readCsv(fixturePath("example-expected", "daydream-pilot.membership-full.csv"))

const { fresh: freshRoot } = useExampleDataRoots(afterEach)

const build = (root: string, options: Parameters<typeof buildCohortMembership>[1] = {}, cohortId = "daydream-pilot") =>
  buildCohortMembership(cohortId, options).pipe(
    Effect.provide(dataRootLayer(root).pipe(Layer.provide(NodeContext.layer)))
  )

const sortedUnique = (values: Array<string>) => Array.from(new Set(values)).sort()

describe("the example data root, end to end", () => {
  it.effect("membership.csv holds the stage,gen_id columns of the original's membership", () =>
    Effect.gen(function*() {
      const root = freshRoot()
      const result = yield* build(root)
      const file = path.join(root, "cohorts", "daydream-pilot", "membership.csv")
      const want = ["stage,gen_id", ...expected.rows.map((r) => `${r.stage},${r.gen_id}`)].join("\n") + "\n"
      expect(fs.readFileSync(file, "utf8")).toBe(want)
      expect(result.rowCount).toBe(expected.rows.length)
      expect(result.artifacts["membership"]).toBe(file)
      const preview = result.membershipPreview.objects() as Array<Record<string, unknown>>
      expect(preview).toHaveLength(20)
      expect(preview.map((r) => MEMBERSHIP_COLUMNS.map((c) => String(r[c])).join(","))).toEqual(
        expected.rows.slice(0, 20).map((r) => MEMBERSHIP_COLUMNS.map((c) => r[c]).join(","))
      )
    }))

  it.effect("manifest.json lists what the cohort uses, sorted, with the replication config", () =>
    Effect.gen(function*() {
      const root = freshRoot()
      yield* build(root)
      const rows = expected.rows
      const of = (stage: string, column: string) =>
        sortedUnique(rows.filter((r) => r.stage === stage).map((r) => r[column]!))
      const manifest = {
        combos: of("draft", "combo_id"),
        templates: {
          draft: of("draft", "template_id"),
          essay: of("essay", "template_id"),
          evaluation: of("evaluation", "template_id")
        },
        llms: { generation: of("draft", "llm_model_id"), evaluation: of("evaluation", "llm_model_id") },
        replication: { draft: 1, essay: 1, evaluation: 2 }
      }
      expect(readText(path.join(root, "cohorts", "daydream-pilot", "manifest.json"))).toBe(
        JSON.stringify(manifest, null, 2)
      )
    }))

  it.effect("every generation gets metadata.json with the original's keys, order and mode", () =>
    Effect.gen(function*() {
      const root = freshRoot()
      yield* build(root)
      const copyTemplates = new Set(["parsed-from-links-v1"])
      for (const r of expected.rows) {
        const meta: Record<string, unknown> = {
          stage: r.stage,
          gen_id: r.gen_id,
          origin_cohort_id: "daydream-pilot",
          mode: r.stage === "essay" && copyTemplates.has(r.template_id!) ? "copy" : "llm",
          template_id: r.template_id
        }
        if (r.stage === "draft") meta["combo_id"] = r.combo_id
        else meta["parent_gen_id"] = r.parent_gen_id
        meta["llm_model_id"] = r.llm_model_id
        meta["replicate"] = Number(r.replicate)
        expect(readText(path.join(root, "gens", r.stage!, r.gen_id!, "metadata.json"))).toBe(
          JSON.stringify(meta, null, 2)
        )
      }
    }))

  it.effect("a rerun leaves every file byte-identical and reports the generations as present", () =>
    Effect.gen(function*() {
      const root = freshRoot()
      const first = yield* build(root)
      expect(first.artifacts["generations_written"]).toBe(String(expected.rows.length))
      const before = snapshot(root)
      const second = yield* build(root)
      expect(second.artifacts["generations_written"]).toBe("0")
      expect(second.artifacts["generations_existing"]).toBe(String(expected.rows.length))
      expect(snapshot(root)).toEqual(before)
    }))

  it.effect("existing metadata is never overwritten", () =>
    Effect.gen(function*() {
      const root = freshRoot()
      const draft = expected.rows[0]!
      const file = path.join(root, "gens", "draft", draft.gen_id!, "metadata.json")
      fs.mkdirSync(path.dirname(file), { recursive: true })
      const planted = JSON.stringify({
        stage: "draft",
        gen_id: draft.gen_id,
        combo_id: draft.combo_id,
        template_id: draft.template_id,
        llm_model_id: draft.llm_model_id,
        replicate: 1,
        note: "written by a runner"
      })
      fs.writeFileSync(file, planted)
      const result = yield* build(root)
      expect(fs.readFileSync(file, "utf8")).toBe(planted)
      expect(result.artifacts["generations_existing"]).toBe("1")
      expect(fs.readFileSync(path.join(root, "cohorts", "daydream-pilot", "membership.csv"), "utf8")).toContain(
        draft.gen_id
      )
    }))

  it.effect("a dry run computes everything and writes nothing", () =>
    Effect.gen(function*() {
      const root = freshRoot()
      const before = snapshot(root)
      const result = yield* build(root, { dryRun: true })
      expect(result.rowCount).toBe(expected.rows.length)
      expect(result.artifacts).toEqual({})
      expect(snapshot(root)).toEqual(before)
      expect(fs.existsSync(path.join(root, "gens"))).toBe(false)
    }))

  it.effect("a failing build leaves the data root unchanged", () =>
    Effect.gen(function*() {
      const root = freshRoot()
      const llms = path.join(root, "1_raw", "llm_models.csv")
      fs.writeFileSync(
        llms,
        fs.readFileSync(llms, "utf8").split("\n").filter((l) => !l.startsWith("sonnet-4,")).join("\n")
      )
      const before = snapshot(root)
      const error = yield* Effect.flip(build(root))
      expect(error).toMatchObject({ _tag: "CoverageGap", stage: "essay", field: "llm_model_id", missing: ["sonnet-4"] })
      expect(snapshot(root)).toEqual(before)
    }))

  it.effect("the result metadata records the spec, its includes and the catalogs read", () =>
    Effect.gen(function*() {
      const root = freshRoot()
      const { metadata } = yield* build(root, { dryRun: true })
      expect(metadata["spec_path"]).toBe(path.join(root, "cohorts", "daydream-pilot", "spec", "config.yaml"))
      expect(metadata["spec_sha256"]).toMatch(/^[0-9a-f]{64}$/)
      expect((metadata["spec_includes"] as Array<{ path: string }>).map((i) => i.path)).toEqual([
        "items/combos.csv",
        "items/essay_bundle.csv"
      ])
      expect(metadata["catalog_rows"]).toMatchObject({ combo_mappings: 14, llm_models: 24 })
      expect(metadata).toMatchObject({ combo_count: 5, max_version: "v1", rows: expected.rows.length })
    }))
})

describe("the spec repository", () => {
  const repoLayer = (root: string) =>
    Layer.mergeAll(FileSystemSpecRepository.layer(root), CsvCatalogBundleLoader.layer(root), InMemoryRegistryFactory)
      .pipe(
        Layer.provide(Layer.merge(NodeContext.layer, GensStore.layer(root)))
      )
  for (const bad of ["", "../escape", "a/b", "a\\b", ".hidden", "x\ny"]) {
    it.effect(`refuses the cohort id ${JSON.stringify(bad)}`, () =>
      Effect.gen(function*() {
        const root = freshRoot()
        const error = yield* Effect.flip(buildCohortMembership(bad).pipe(Effect.provide(repoLayer(root))))
        expect(error._tag).toBe("InvalidConstraint")
        expect(error).toMatchObject({ cohortId: bad })
      }))
  }

  it.effect("a cohort without a spec is SpecNotFound naming the path", () =>
    Effect.gen(function*() {
      const root = freshRoot()
      const error = yield* Effect.flip(buildCohortMembership("nobody").pipe(Effect.provide(repoLayer(root))))
      expect(error).toMatchObject({
        _tag: "SpecNotFound",
        cohortId: "nobody",
        path: path.join(root, "cohorts", "nobody", "spec", "config.yaml")
      })
    }))

  it.effect("a spec error names the spec file", () =>
    Effect.gen(function*() {
      const root = freshRoot()
      const spec = path.join(root, "cohorts", "daydream-pilot", "spec", "config.yaml")
      fs.writeFileSync(spec, fs.readFileSync(spec, "utf8").replace("field_order:", "field_ordr:"))
      const error = yield* Effect.flip(buildCohortMembership("daydream-pilot").pipe(Effect.provide(repoLayer(root))))
      expect(error).toMatchObject({ _tag: "InvalidSpec", path: spec, key: "output.field_ordr" })
      expect(error.message).toContain("did you mean \"field_order\"")
    }))
})

describe("confinement", () => {
  it.effect("a registry handing out a path-like gen id cannot make the store write outside the data root", () =>
    Effect.gen(function*() {
      const root = freshRoot()
      const evil = Layer.succeed(RegistryFactory, {
        createRegistry: () =>
          Effect.succeed({
            reserveDraftId: () => Effect.succeed("../../../escaped"),
            reserveEssayId: () => Effect.succeed("e_ok"),
            reserveEvaluationId: () => Effect.succeed("v_ok")
          })
      })
      const live = Layer.mergeAll(
        FileSystemSpecRepository.layer(root),
        CsvCatalogBundleLoader.layer(root),
        FileSystemArtifactStore.layer(root),
        evil
      ).pipe(Layer.provide(Layer.merge(NodeContext.layer, GensStore.layer(root))))
      const before = snapshot(path.dirname(root))
      const error = yield* Effect.flip(buildCohortMembership("daydream-pilot").pipe(Effect.provide(live)))
      expect(error).toMatchObject({
        _tag: "InvalidConstraint",
        reason: "membership row cannot name a generation folder"
      })
      expect(snapshot(path.dirname(root))).toEqual(before)
    }))
})

describe("the artifact store's own checks", () => {
  // persistMembership takes any table; what metadata would record of a row must be what a build makes.
  const persist = (root: string, row: Record<string, unknown>) =>
    Effect.flatMap(MembershipArtifactStore, (store) =>
      store.persistMembership("daydream-pilot", aq.from([row]), {
        manifest: {
          combos: [],
          templates: { draft: [], essay: [], evaluation: [] },
          llms: { generation: [], evaluation: [] },
          replication: {}
        },
        template_modes: { draft: {}, essay: {}, evaluation: {} }
      })).pipe(
        Effect.provide(
          FileSystemArtifactStore.layer(root).pipe(Layer.provide(Layer.merge(NodeContext.layer, GensStore.layer(root))))
        )
      )
  const essay = {
    stage: "essay",
    gen_id: "e_1",
    parent_gen_id: "d_1",
    combo_id: "",
    template_id: "t",
    llm_model_id: "m",
    replicate: 1
  }

  it.effect("a parent that is not a generation id, or a replicate that is not a whole number, is refused", () =>
    Effect.gen(function*() {
      const root = freshRoot()
      const before = snapshot(root)
      for (
        const bad of [{ parent_gen_id: "d_1\nd_2" }, { parent_gen_id: null }, { replicate: "2" }, { replicate: 1.5 }]
      ) {
        const error = yield* Effect.flip(persist(root, { ...essay, ...bad }))
        expect(error).toMatchObject({ _tag: "InvalidConstraint", cohortId: "daydream-pilot" })
        expect(error.message).toContain("parent that is not a generation id")
      }
      expect(snapshot(root)).toEqual(before)
      // The same row, well formed, is written.
      yield* persist(root, essay)
      expect(JSON.parse(fs.readFileSync(path.join(root, "gens", "essay", "e_1", "metadata.json"), "utf8")))
        .toMatchObject({
          parent_gen_id: "d_1",
          replicate: 1
        })
    }))
})
