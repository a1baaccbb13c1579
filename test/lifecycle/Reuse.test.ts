import { afterEach, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { designFromRows } from "../../src/domain/Design.js"
import type { Design } from "../../src/domain/Design.js"
import {
  buildCohortMembership,
  computeGenId,
  definitionFromDesignRows,
  GensStore,
  reuseGenerations
} from "../../src/index.js"
import { useExampleDataRoots } from "../support/DataRoots.js"
import { fixturePath, readCsv, repoRoot } from "../support/Fixtures.js"
import { onRoot } from "./LifecycleRoots.js"

const { fresh } = useExampleDataRoots(afterEach)
/** `reuseGenerations` over the `GensStore` of a data root. */
const reuseIn = (root: string, design: Design) =>
  reuseGenerations(design, { source: "memory" }).pipe(Effect.provide(GensStore.layer(root)))
const cli = path.join(repoRoot, "dist", "main.js")
/** The original's membership of the example cohort (every column). */
const original = readCsv(fixturePath("example-expected", "daydream-pilot.membership-full.csv")).rows

/**
 * Writes metadata.json of some of the original's generations as the original writes it (its key order;
 * `mode` llm), without running our builder: a store made by the original.
 */
const writeOriginalStore = (root: string, ids: ReadonlyArray<string>) => {
  for (const row of original.filter((r) => ids.includes(r.gen_id!))) {
    const m: Record<string, unknown> = {
      stage: row.stage,
      gen_id: row.gen_id,
      origin_cohort_id: row.origin_cohort_id,
      mode: "llm"
    }
    m["template_id"] = row.template_id
    if (row.stage === "draft") m["combo_id"] = row.combo_id
    if (row.parent_gen_id !== "") m["parent_gen_id"] = row.parent_gen_id
    m["llm_model_id"] = row.llm_model_id
    m["replicate"] = Number(row.replicate)
    const dir = path.join(root, "gens", row.stage!, row.gen_id!)
    fs.mkdirSync(dir, { recursive: true })
    fs.writeFileSync(path.join(dir, "metadata.json"), JSON.stringify(m, null, 2))
  }
}

/** A cohort `rescore` that judges existing essays by id. */
const addRescore = (root: string, essayIds: ReadonlyArray<string>, axes: string) => {
  const spec = path.join(root, "cohorts", "rescore", "spec")
  fs.mkdirSync(path.join(spec, "items"), { recursive: true })
  fs.writeFileSync(path.join(spec, "items", "best_essays.csv"), ["essay_gen_id", ...essayIds].join("\n") + "\n")
  fs.writeFileSync(
    path.join(spec, "config.yaml"),
    [
      "axes:",
      "  essay_gen_id: '@file:items/best_essays.csv'",
      axes,
      "output:",
      "  field_order: [essay_gen_id, evaluation_template, evaluation_llm]"
    ].join("\n") + "\n"
  )
  return path.join(spec, "config.yaml")
}

const essays = original.filter((r) => r.stage === "essay").slice(0, 3)
const draftsOf = (rows: typeof essays) => rows.map((e) => e.parent_gen_id!)

describe("reusing generations by id", () => {
  it.effect("judging the original's essays by id: its drafts and essays kept, evaluation ids the original's", () =>
    Effect.gen(function*() {
      const root = fresh()
      writeOriginalStore(root, [...essays.map((e) => e.gen_id!), ...draftsOf(essays)])
      addRescore(
        root,
        essays.map((e) => e.gen_id!),
        "  evaluation_template: [novelty-v2]\n  evaluation_llm: [sonnet-4]"
      )
      const reusedFiles = essays.flatMap((e) => [
        path.join(root, "gens", "essay", e.gen_id!, "metadata.json"),
        path.join(root, "gens", "draft", e.parent_gen_id!, "metadata.json")
      ])
      const before = reusedFiles.map((f) => fs.readFileSync(f, "utf8"))
      const result = yield* onRoot(root, buildCohortMembership("rescore", { previewRows: 100 }))
      const rows = result.membershipPreview.objects() as Array<Record<string, unknown>>
      expect(rows.filter((r) => r["stage"] === "draft").map((r) => r["gen_id"])).toEqual([...new Set(draftsOf(essays))])
      expect(rows.filter((r) => r["stage"] === "essay").map((r) => r["gen_id"])).toEqual(essays.map((e) => e.gen_id))
      expect(rows.every((r) => r["origin_cohort_id"] === "rescore")).toBe(true)
      // The original's own evaluations of these essays with that template, judge and replicate.
      const want = original.filter((r) =>
        r.stage === "evaluation" && essays.some((e) => e.gen_id === r.parent_gen_id) &&
        r.template_id === "novelty-v2" &&
        r.llm_model_id === "sonnet-4" && r.replicate === "1"
      )
      const got = rows.filter((r) => r["stage"] === "evaluation")
      expect(got.map((r) => r["gen_id"])).toEqual(want.map((r) => r.gen_id))
      expect(got.map((r) => r["combo_id"])).toEqual(want.map((r) => r.combo_id))
      // Reused metadata is never rewritten; the new evaluations' metadata is written.
      expect(reusedFiles.map((f) => fs.readFileSync(f, "utf8"))).toEqual(before)
      const evaluation = JSON.parse(
        fs.readFileSync(path.join(root, "gens", "evaluation", want[0]!.gen_id!, "metadata.json"), "utf8")
      )
      expect(evaluation).toMatchObject({ origin_cohort_id: "rescore", parent_gen_id: essays[0]!.gen_id })
    }))

  it.effect("draft_gen_id reuses drafts: new essays get the ids the original assigns", () =>
    Effect.gen(function*() {
      const root = fresh()
      const draft = original.find((r) => r.stage === "draft")!
      writeOriginalStore(root, [draft.gen_id!])
      const design = designFromRows([
        "draft_gen_id",
        "essay_template",
        "essay_llm",
        "evaluation_template",
        "evaluation_llm"
      ], [
        [draft.gen_id!, "creative-synthesis-v10", "gemini_25_pro", "novelty-v2", "sonnet-4"]
      ])
      const resolved = yield* reuseIn(root, design)
      const definition = yield* definitionFromDesignRows(resolved)
      expect(definition.drafts[0]).toEqual({
        comboId: draft.combo_id,
        templateId: draft.template_id,
        llmModelId: draft.llm_model_id,
        replicate: 1
      })
      const essayId = yield* computeGenId("essay", [draft.gen_id!, "creative-synthesis-v10", 1])
      expect(original.some((r) => r.gen_id === essayId && r.parent_gen_id === draft.gen_id)).toBe(true)
    }))

  it.effect("a reused draft's replicate written 1.0 is 1 whichever way its metadata is read (int(), as the original)", () =>
    Effect.gen(function*() {
      const root = fresh()
      const draft = original.find((r) => r.stage === "draft")!
      writeOriginalStore(root, [draft.gen_id!])
      const file = path.join(root, "gens", "draft", draft.gen_id!, "metadata.json")
      const written = fs.readFileSync(file, "utf8")
      expect(written).toContain(`"replicate": 1\n`)
      const design = designFromRows(
        ["draft_gen_id", "essay_template", "essay_llm", "evaluation_template", "evaluation_llm"],
        [[draft.gen_id!, "creative-synthesis-v10", "gemini_25_pro", "novelty-v2", "sonnet-4"]]
      )
      // All fields texts (JSON.parse would serve it), then an object where a signature field may be (the
      // exact reader): the replicate is the same 1 both times.
      for (
        const text of [
          written.replace(`"replicate": 1\n`, `"replicate": 1.0\n`),
          written.replace(`"replicate": 1\n`, `"replicate": 1.0,\n  "essay_template": {}\n`)
        ]
      ) {
        fs.writeFileSync(file, text)
        const resolved = yield* reuseIn(root, design)
        const definition = yield* definitionFromDesignRows(resolved)
        expect(definition.drafts[0]!.replicate).toBe(1)
      }
    }))

  it.effect("collision-suffixed ids (-1, -2) are reused by id: the build keeps them and judges them under them", () =>
    Effect.gen(function*() {
      const root = fresh()
      const essay = essays[0]!
      const draft = original.find((r) => r.gen_id === essay.parent_gen_id)!
      writeOriginalStore(root, [draft.gen_id!])
      const gens = path.join(root, "gens")
      const writeMeta = (stage: string, id: string, m: Record<string, unknown>) => {
        fs.mkdirSync(path.join(gens, stage, id), { recursive: true })
        fs.writeFileSync(
          path.join(gens, stage, id, "metadata.json"),
          JSON.stringify({ stage, gen_id: id, ...m }, null, 2)
        )
      }
      // The essay's pure id and its first candidate held other signatures, so the original gave it "-2".
      const essayParts = [draft.gen_id!, essay.template_id!, 1] as const
      const essayIds = yield* Effect.all([0, 1, 2].map((k) => computeGenId("essay", [...essayParts], k)))
      expect(essayIds[2]).toMatch(/-2$/)
      writeMeta("essay", essayIds[0]!, {
        parent_gen_id: draft.gen_id,
        template_id: "someone-else",
        llm_model_id: "x",
        replicate: 1
      })
      writeMeta("essay", essayIds[1]!, {
        parent_gen_id: draft.gen_id,
        template_id: "someone-else-2",
        llm_model_id: "x",
        replicate: 1
      })
      writeMeta("essay", essayIds[2]!, {
        origin_cohort_id: "daydream-pilot",
        mode: "llm",
        parent_gen_id: draft.gen_id,
        template_id: essay.template_id,
        llm_model_id: essay.llm_model_id,
        replicate: 1
      })
      const reused = path.join(gens, "essay", essayIds[2]!, "metadata.json")
      const before = fs.readFileSync(reused, "utf8")
      addRescore(root, [essayIds[2]!], "  evaluation_template: [novelty-v2]\n  evaluation_llm: [sonnet-4]")
      const result = yield* onRoot(root, buildCohortMembership("rescore", { previewRows: 100 }))
      const rows = result.membershipPreview.objects() as Array<Record<string, unknown>>
      expect(rows.filter((r) => r["stage"] === "essay").map((r) => r["gen_id"])).toEqual([essayIds[2]])
      const evaluationId = yield* computeGenId("evaluation", [essayIds[2]!, "novelty-v2", "sonnet-4", 1])
      expect(rows.filter((r) => r["stage"] === "evaluation").map((r) => [r["gen_id"], r["parent_gen_id"]]))
        .toEqual([[evaluationId, essayIds[2]]])
      expect(fs.readFileSync(reused, "utf8")).toBe(before)
      // A draft with "-1" resolves the same way (the neighbour stage); an id its metadata does not rebuild is refused.
      const draftIds = yield* Effect.all(
        [0, 1].map((k) => computeGenId("draft", [draft.combo_id!, draft.template_id!, draft.llm_model_id!, 1], k))
      )
      writeMeta("draft", draftIds[1]!, {
        combo_id: draft.combo_id,
        template_id: draft.template_id,
        llm_model_id: draft.llm_model_id,
        replicate: 1
      })
      const one = (id: string) =>
        designFromRows(["draft_gen_id", "essay_template", "essay_llm", "evaluation_template", "evaluation_llm"], [
          [id, "creative-synthesis-v10", "gemini_25_pro", "novelty-v2", "sonnet-4"]
        ])
      const resolved = yield* reuseIn(root, one(draftIds[1]!))
      const definition = yield* definitionFromDesignRows(resolved)
      expect(definition.drafts[0]).toMatchObject({
        comboId: draft.combo_id,
        templateId: draft.template_id,
        replicate: 1
      })
      fs.renameSync(path.join(gens, "draft", draftIds[1]!), path.join(gens, "draft", `${draftIds[0]}-3`))
      const wrong = yield* Effect.flip(reuseIn(root, one(`${draftIds[0]}-3`)))
      expect(wrong).toMatchObject({ _tag: "InvalidSpec", key: "rows[0].draft_gen_id" })
    }))

  it.effect("missing or unreadable metadata is GenerationMetadataMissing naming the id and the path", () =>
    Effect.gen(function*() {
      const root = fresh()
      writeOriginalStore(root, [essays[0]!.gen_id!])
      const gensRoot = path.join(root, "gens")
      const one = (id: string) =>
        designFromRows(["essay_gen_id", "evaluation_template", "evaluation_llm"], [[id, "novelty-v2", "sonnet-4"]])
      const noParent = yield* Effect.flip(reuseIn(root, one(essays[0]!.gen_id!)))
      expect(noParent).toMatchObject({
        _tag: "GenerationMetadataMissing",
        stage: "draft",
        genId: essays[0]!.parent_gen_id,
        path: path.join(gensRoot, "draft", essays[0]!.parent_gen_id!, "metadata.json")
      })
      fs.mkdirSync(path.join(gensRoot, "essay", "e_broken"), { recursive: true })
      fs.writeFileSync(path.join(gensRoot, "essay", "e_broken", "metadata.json"), "{not json")
      const broken = yield* Effect.flip(reuseIn(root, one("e_broken")))
      expect(broken).toMatchObject({
        _tag: "GenerationMetadataMissing",
        genId: "e_broken",
        key: "rows[0].essay_gen_id"
      })
      const outside = yield* Effect.flip(reuseIn(root, one("../../x")))
      expect(outside._tag).toBe("InvalidSpec")
    }))

  it.effect("a row that reuses an essay and also names fields above it is refused", () =>
    Effect.gen(function*() {
      const root = fresh()
      writeOriginalStore(root, [essays[0]!.gen_id!, essays[0]!.parent_gen_id!])
      const design = designFromRows(["essay_gen_id", "combo_id", "evaluation_template", "evaluation_llm"], [
        [essays[0]!.gen_id!, "combo_v1_080599e679b7", "novelty-v2", "sonnet-4"]
      ])
      const error = yield* Effect.flip(
        reuseIn(root, design)
      )
      expect(error).toMatchObject({ _tag: "InvalidSpec", key: "rows[0].combo_id" })
    }))

  it("plan with --data-root resolves reused ids; a build through the CLI writes only the new evaluations", () => {
    const root = fresh()
    writeOriginalStore(root, [...essays.map((e) => e.gen_id!), ...draftsOf(essays)])
    const spec = addRescore(
      root,
      essays.map((e) => e.gen_id!),
      "  evaluation_template: [novelty-v2, daydreaming-verification-v3]\n  evaluation_llm: [sonnet-4]"
    )
    const plan = spawnSync("node", [cli, "plan", spec, "--cohort-id", "rescore", "--data-root", root], {
      encoding: "utf8"
    })
    expect(plan.status).toBe(0)
    const lines = plan.stdout.trim().split("\n")
    expect(lines.filter((l) => l.startsWith("essay,")).map((l) => l.split(",")[1])).toEqual(essays.map((e) => e.gen_id))
    const evaluations = lines.filter((l) => l.startsWith("evaluation,"))
    expect(evaluations).toHaveLength(essays.length * 2)
    for (const line of evaluations) {
      const [, genId, , parent, , template, llm] = line.split(",")
      const twin = original.find((r) => r.gen_id === genId)
      expect(twin).toMatchObject({ parent_gen_id: parent, template_id: template, llm_model_id: llm })
    }
    const built = spawnSync("node", [cli, "build", "rescore", "--data-root", root], { encoding: "utf8" })
    expect(built.status).toBe(0)
    expect(built.stdout).toContain(
      `generations: ${essays.length * 2} new, ${essays.length + new Set(draftsOf(essays)).size} already present`
    )
    const missing = spawnSync("node", [
      cli,
      "plan",
      spec,
      "--cohort-id",
      "rescore",
      "--data-root",
      path.join(root, "nowhere")
    ], { encoding: "utf8" })
    expect(missing.status).toBe(1)
    expect(missing.stderr).toMatch(/^GenerationMetadataMissing: essay /)
  })
})
