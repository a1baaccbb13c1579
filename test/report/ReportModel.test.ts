import { afterEach, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { planCohort, rowsOf } from "../../src/index.js"
import { balanceChart, couplingChart, funnelChart } from "../../src/report/ChartSpecs.js"
import { cohortReport } from "../../src/report/CohortReport.js"
import { buildOn, onRoot, writeGenerationFiles } from "../lifecycle/LifecycleRoots.js"
import { useExampleDataRoots } from "../support/DataRoots.js"
import { fixturePath } from "../support/Fixtures.js"

const { fresh } = useExampleDataRoots(afterEach)

type Row = {
  stage: string
  gen_id: string
  parent_gen_id: string
  combo_id: string
  template_id: string
  llm_model_id: string
  replicate: number
}

/** A cohort's membership, straight from `planCohort` (not from the report's code). */
const membershipOf = (root: string, cohortId = "daydream-pilot") =>
  Effect.map(onRoot(root, planCohort(cohortId)), (plan) => rowsOf(plan.membership) as unknown as Array<Row>)

/** Counts per level, computed here by walking parent ids: for each row of `stage`, the value of `field` at `axisStage`. */
const countsOf = (rows: ReadonlyArray<Row>, stage: string, key: (row: Row, up: (r: Row) => Row) => string) => {
  const byId = new Map(rows.map((r) => [r.gen_id, r]))
  const up = (r: Row) => byId.get(r.parent_gen_id)!
  const out: Record<string, number> = {}
  for (const r of rows) if (r.stage === stage) out[key(r, up)] = (out[key(r, up)] ?? 0) + 1
  return out
}

const ancestor = (r: Row, up: (r: Row) => Row, stage: string): Row => {
  let x = r
  while (x.stage !== stage) x = up(x)
  return x
}

const AXES: Record<string, [string, keyof Row]> = {
  combo_id: ["draft", "combo_id"],
  draft_template: ["draft", "template_id"],
  draft_llm: ["draft", "llm_model_id"],
  draft_replicate: ["draft", "replicate"],
  essay_template: ["essay", "template_id"],
  essay_llm: ["essay", "llm_model_id"],
  essay_replicate: ["essay", "replicate"],
  evaluation_template: ["evaluation", "template_id"],
  evaluation_llm: ["evaluation", "llm_model_id"],
  evaluation_replicate: ["evaluation", "replicate"]
}

const chartCounts = (values: unknown, key: (v: Record<string, unknown>) => string): Record<string, number> =>
  Object.fromEntries((values as Array<Record<string, unknown>>).map((v) => [key(v), v["count"] as number]))

describe("cohort report: the data behind each chart", () => {
  it.effect("bars: every axis's counts per level, per stage, equal the membership's", () =>
    Effect.gen(function*() {
      const root = fresh()
      const rows = yield* membershipOf(root)
      const { model } = yield* onRoot(root, cohortReport("daydream-pilot", { dataRoot: root }))
      const depth = { draft: 0, essay: 1, evaluation: 2 } as Record<string, number>
      let compared = 0
      for (const stage of ["draft", "essay", "evaluation"]) {
        for (const [axis, [axisStage, field]] of Object.entries(AXES)) {
          if (depth[axisStage]! > depth[stage]!) continue
          const expected = countsOf(rows, stage, (r, up) => String(ancestor(r, up, axisStage)[field]))
          const balance = model.balances.find((b) => b.stage === stage && b.axis === axis)!
          expect(Object.fromEntries(balance.levels.map((l) => [l.level, l.count])), `${stage} ${axis}`).toEqual(
            expected
          )
          if (balance.levels.length > 1) {
            const spec = balanceChart(balance, "x").spec as { data: { values: unknown } }
            expect(chartCounts(spec.data.values, (v) => String(v["level"])), `${stage} ${axis} chart`).toEqual(expected)
          }
          compared++
        }
      }
      expect(compared).toBe(4 + 7 + 10)
      // The pair keeps creative-synthesis-v10 drafts to one essay template: half the evaluations of the other.
      const evalDrafts = model.balances.find((b) => b.stage === "evaluation" && b.axis === "draft_template")!
      expect(evalDrafts.balanced).toBe(false)
      expect(evalDrafts.levels.map((l) => [l.level, l.count, l.mark])).toEqual([
        ["creative-synthesis-v10", 64, "fewer"],
        ["deliberate-rolling-thread-v3", 128, "usual"]
      ])
      expect(model.balances.find((b) => b.stage === "evaluation" && b.axis === "evaluation_llm")!.balanced).toBe(true)
    }))

  it.effect("heatmaps: the pair's and the tuple's coupled levels equal the membership's", () =>
    Effect.gen(function*() {
      const root = fresh()
      const rows = yield* membershipOf(root)
      const { model } = yield* onRoot(root, cohortReport("daydream-pilot", { dataRoot: root }))
      expect(model.couplings.map((c) => [c.rule, c.name, c.stage])).toEqual([["tuple", "essay_bundle", "essay"], [
        "pair",
        "draft_essay",
        "essay"
      ]])
      const tuple = model.couplings[0]!
      const pair = model.couplings[1]!
      const key = (v: Record<string, unknown>) => `${v["left"]}|${v["right"]}`
      const tupleCounts = countsOf(rows, "essay", (r) => `${r.template_id}|${r.llm_model_id}`)
      const pairCounts = countsOf(rows, "essay", (r, up) => `${up(r).template_id}|${r.template_id} · ${r.llm_model_id}`)
      expect(chartCounts(tuple.cells, key)).toEqual(tupleCounts)
      expect(chartCounts(pair.cells, key)).toEqual(pairCounts)
      expect(chartCounts((couplingChart(pair, "p").spec as { data: { values: unknown } }).data.values, key)).toEqual(
        pairCounts
      )
      expect(pair.balanced).toBe(true)
    }))

  it.effect("funnel and coverage of a built cohort: counts from the store, every catalog value found", () =>
    Effect.gen(function*() {
      const root = fresh()
      const rows = yield* membershipOf(root)
      yield* buildOn(root, "daydream-pilot")
      const draft = rows.find((r) => r.stage === "draft")!.gen_id
      writeGenerationFiles(root, "draft", draft, ["raw.txt", "parsed.txt"])
      const { html, model } = yield* onRoot(root, cohortReport("daydream-pilot", { dataRoot: root }))
      expect(model.source).toBe("membership")
      const funnel = funnelChart(model.funnel).spec as {
        data: { values: Array<{ stage: string; measure: string; count: number }> }
      }
      const value = (stage: string, measure: string) =>
        funnel.data.values.find((v) => v.stage === stage && v.measure === measure)!.count
      for (const stage of ["draft", "essay", "evaluation"]) {
        const n = rows.filter((r) => r.stage === stage).length
        expect(value(stage, "members")).toBe(n)
        expect(value(stage, "with metadata.json")).toBe(n)
      }
      expect(value("draft", "with parsed.txt")).toBe(1)
      expect(value("draft", "LLM calls next run")).toBe(rows.filter((r) => r.stage === "draft").length - 1)
      expect(model.coverage!.every((c) => c.missing.length === 0)).toBe(true)
      const combos = new Set(rows.filter((r) => r.stage === "draft").map((r) => r.combo_id))
      expect(model.coverage!.find((c) => c.check === "combo_id")!.used).toBe(combos.size)
      // The whole membership is in the table (a small cohort), with each row's files.
      expect(model.sample.sampled).toBe(false)
      expect(model.sample.rows.length).toBe(rows.length)
      expect(model.sample.rows.find((r) => r[1] === draft)!.at(-1)).toBe("metadata, raw, parsed")
      // Audit: the spec's hash, the catalogs' hashes, both times.
      expect(model.audit.specSha256).toMatch(/^[0-9a-f]{64}$/)
      expect(model.audit.catalogs.map((c) => c.slice)).toContain("combo_mappings")
      expect(model.audit.catalogs.every((c) => /^[0-9a-f]{64}$/.test(c.sha256 ?? ""))).toBe(true)
      expect(model.audit.builtAt).toBeDefined()
      expect(html).toContain(model.audit.specSha256!)
    }))

  it.effect("a spec file with odd levels: warnings listed, catalog gaps shown, every value escaped", () =>
    Effect.gen(function*() {
      const root = fresh()
      const spec = path.join(root, "odd.yaml")
      fs.writeFileSync(
        spec,
        [
          "axes:",
          "  combo_id: [combo_v1_080599e679b7]",
          "  draft_template: ['<img src=x onerror=alert(1)>', creative-synthesis-v10]",
          "  draft_llm: [gemini_25_pro]",
          "  essay_template: [creative-synthesis-v10]",
          "  essay_llm: [gemini_25_pro]",
          "  evaluation_template: [novelty-v2]",
          "  evaluation_llm: [sonnet-4]",
          "  evaluation_replicates: ['1', '2']",
          "output:",
          "  field_order: [combo_id, draft_template]",
          ""
        ].join("\n")
      )
      const { html, model } = yield* onRoot(root, cohortReport(spec, { dataRoot: root }))
      expect(model.source).toBe("spec")
      expect(model.coverage!.find((c) => c.check === "draft template_id")!.missing).toEqual([
        "<img src=x onerror=alert(1)>"
      ])
      // The build would stop at the gap; the unread column is a warning of the spec itself.
      expect(model.validationError).toContain("draft")
      expect(html).not.toContain("<img src=x")
      expect(html).toContain("&#60;img src=x onerror=alert(1)&#62;")
      expect((html.match(/<script>/g) ?? []).length).toBe(1)
      // Without the gap, the build goes through and its warning (the unread column) is listed.
      fs.writeFileSync(spec, fs.readFileSync(spec, "utf8").replace("'<img src=x onerror=alert(1)>', ", ""))
      const clean = yield* onRoot(root, cohortReport(spec, { dataRoot: root }))
      expect(clean.model.validationError).toBeUndefined()
      expect(clean.model.warnings.some((w) => w.includes("evaluation_replicates"))).toBe(true)
      expect(clean.html).toContain("evaluation_replicates")
    }))

  it.effect("112k rows: the distribution chart of a many-level axis and the unbalanced pair equal the membership's", () =>
    Effect.gen(function*() {
      const root = path.join(fresh(), "..", "data-112k")
      fs.cpSync(fixturePath("report-112k"), root, { recursive: true })
      const rows = yield* membershipOf(root, "medium-112k")
      expect(rows.length).toBe(112_000)
      const { model } = yield* onRoot(root, cohortReport("medium-112k", { dataRoot: root }))
      const combos = model.balances.find((b) => b.stage === "evaluation" && b.axis === "combo_id")!
      const perCombo = countsOf(rows, "evaluation", (r, up) => up(up(r)).combo_id)
      expect(Object.fromEntries(combos.levels.map((l) => [l.level, l.count]))).toEqual(perCombo)
      // 50 levels, balanced: charted as how many levels get each count.
      const levelsPerCount: Record<string, number> = {}
      for (const n of Object.values(perCombo)) levelsPerCount[n] = (levelsPerCount[n] ?? 0) + 1
      const spec = balanceChart(combos, "c").spec as { data: { values: Array<{ count: number; levels: number }> } }
      expect(Object.fromEntries(spec.data.values.map((v) => [v.count, v.levels]))).toEqual(levelsPerCount)
      // dt-a..dt-e allow six essay bundles, dt-f..dt-j four: 3,000 against 2,000 evaluations each.
      const drafts = model.balances.find((b) => b.stage === "evaluation" && b.axis === "draft_template")!
      const perTemplate = countsOf(rows, "evaluation", (r, up) => up(up(r)).template_id)
      expect(Object.fromEntries(drafts.levels.map((l) => [l.level, l.count]))).toEqual(perTemplate)
      expect(drafts.balanced).toBe(false)
      const pair = model.couplings.find((c) => c.name === "draft_essay")!
      const key = (v: Record<string, unknown>) => `${v["left"]}|${v["right"]}`
      expect(chartCounts(pair.cells, key)).toEqual(
        countsOf(rows, "essay", (r, up) => `${up(r).template_id}|${r.template_id} · ${r.llm_model_id}`)
      )
      expect(model.sample.sampled).toBe(true)
      expect(model.validationError).toBeUndefined()
      expect(model.coverage!.every((c) => c.missing.length === 0)).toBe(true)
    }))
})
