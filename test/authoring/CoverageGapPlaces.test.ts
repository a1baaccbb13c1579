import { afterEach, describe, expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { useExampleDataRoots } from "../support/DataRoots.js"
import { repoRoot } from "../support/Fixtures.js"

const main = path.join(repoRoot, "dist", "main.js")
const cohort = (args: Array<string>) => {
  const run = spawnSync(process.execPath, [main, ...args], { encoding: "utf8" })
  return { code: run.status, stdout: run.stdout, stderr: run.stderr }
}
const roots = useExampleDataRoots(afterEach)

/** The pilot cohort's spec replaced by `config` and its include files. */
const withSpec = (config: string, includes: Record<string, string>) => {
  const root = roots.fresh()
  const spec = path.join(root, "cohorts", "daydream-pilot", "spec")
  fs.rmSync(spec, { recursive: true })
  for (const [name, text] of Object.entries({ "config.yaml": config, ...includes })) {
    fs.mkdirSync(path.dirname(path.join(spec, name)), { recursive: true })
    fs.writeFileSync(path.join(spec, name), text)
  }
  return root
}

// One missing value per catalog, each written in another way: inline, CSV, JSON, text and YAML includes,
// and a tuple's items.
const config = [
  "axes:",
  "  combo_id: '@file:items/combos.csv'",
  "  draft_template: [creative-synthesis-v10]",
  "  draft_llm: '@file:items/drafters.json'",
  "  essay_template: [creative-synthesis-v10, creative-synthesis-v11]",
  "  essay_llm: '@file:items/writers.txt'",
  "  evaluation_template: '@file:items/evals.yaml'",
  "rules:",
  "  tuples:",
  "    judges:",
  "      axes: [evaluation_llm, evaluation_replicate]",
  "      items: [[sonnet-4, 1], [sonet-4, 2]]",
  "output:",
  "  field_order: [combo_id]",
  ""
].join("\n")
const includes = {
  "items/combos.csv": "combo_id\ncombo_v1_080599e679b7\ncombo_v1_ffffffffffff\n",
  "items/drafters.json": "[\n  \"gemini_25_pro\",\n  \"qqqq-9\"\n]\n",
  "items/writers.txt": "gemini_25_pro\n\nsonet-4\n",
  "items/evals.yaml": "- novelty-v2\n- novelty-v3\n"
}

const expected = [
  {
    field: "combo_id",
    missing: ["combo_v1_ffffffffffff"],
    origins: { combo_v1_ffffffffffff: { key: "axes.combo_id[1]", file: "items/combos.csv", line: 3 } }
  },
  {
    stage: "essay",
    field: "template_id",
    origins: { "creative-synthesis-v11": { key: "axes.essay_template[1]" } },
    suggestions: { "creative-synthesis-v11": "creative-synthesis-v10" }
  },
  {
    stage: "evaluation",
    field: "template_id",
    origins: { "novelty-v3": { key: "axes.evaluation_template[1]", file: "items/evals.yaml", line: 2 } },
    suggestions: { "novelty-v3": "novelty-v2" }
  },
  {
    stage: "draft",
    field: "llm_model_id",
    origins: { "qqqq-9": { key: "axes.draft_llm[1]", file: "items/drafters.json", line: 3 } }
  },
  {
    stage: "essay",
    field: "llm_model_id",
    origins: { "sonet-4": { key: "axes.essay_llm[1]", file: "items/writers.txt", line: 3 } },
    suggestions: { "sonet-4": "sonnet-4" }
  },
  {
    stage: "evaluation",
    field: "llm_model_id",
    origins: { "sonet-4": { key: "rules.tuples.judges.items[1]" } },
    suggestions: { "sonet-4": "sonnet-4" }
  }
]

describe("CoverageGap says where the spec wrote each missing value", () => {
  it("validate --json: each gap's origins (spec key; an include's file and line) and suggestions", () => {
    const root = withSpec(config, includes)
    const run = cohort(["validate", "daydream-pilot", "--data-root", root, "--json"])
    expect(run.code).toBe(1)
    const out = JSON.parse(run.stdout)
    expect(out.ok).toBe(false)
    expect(out.problems).toHaveLength(expected.length)
    out.problems.forEach((problem: Record<string, unknown>, i: number) => {
      expect(problem).toMatchObject({ severity: "error", _tag: "CoverageGap", ...expected[i] })
    })
    // No close catalog value, no suggestion.
    expect(out.problems[0].suggestions).toBeUndefined()
    expect(out.problems[3].suggestions).toBeUndefined()
    expect(out.error).toEqual({ ...out.problems[0], severity: undefined, _tag: "CoverageGap" })
  })

  it("validate (text): each line names the value's place in the spec, and the suggestion", () => {
    const root = withSpec(config, includes)
    const run = cohort(["validate", "daydream-pilot", "--data-root", root])
    expect(run.code).toBe(1)
    const lines = run.stdout.trimEnd().split("\n")
    expect(lines[0]).toBe("cohort daydream-pilot: 6 problems")
    expect(lines[1]).toContain(
      "combo_id not in catalog: combo_v1_ffffffffffff (catalog " +
        `${path.join(root, "combo_mappings.csv")}, from design field combo_id: ` +
        "combo_v1_ffffffffffff at items/combos.csv line 3 (axes.combo_id[1]))"
    )
    expect(lines[1]).not.toContain("did you mean")
    expect(lines[2]).toContain(
      "from design field essay_template: creative-synthesis-v11 at axes.essay_template[1]); " +
        `did you mean "creative-synthesis-v10" for "creative-synthesis-v11"?`
    )
    expect(lines[6]).toContain(
      `from design field evaluation_llm: sonet-4 at rules.tuples.judges.items[1]); did you mean "sonnet-4" for "sonet-4"?`
    )
  })

  it("build (text and --json): the first gap, its places and suggestion, nothing written", () => {
    const root = withSpec(config.replace("'@file:items/combos.csv'", "[combo_v1_080599e679b7]"), includes)
    const text = cohort(["build", "daydream-pilot", "--data-root", root])
    expect(text.code).toBe(1)
    expect(text.stderr).toContain(
      "CoverageGap: essay template_id not in catalog: creative-synthesis-v11 (catalog " +
        `${path.join(root, "1_raw", "essay_templates.csv")}, from design field essay_template: ` +
        `creative-synthesis-v11 at axes.essay_template[1]); did you mean "creative-synthesis-v10" for ` +
        `"creative-synthesis-v11"?`
    )
    const json = cohort(["build", "daydream-pilot", "--data-root", root, "--json"])
    expect(json.code).toBe(1)
    expect(JSON.parse(json.stdout).error).toMatchObject({
      _tag: "CoverageGap",
      design_field: "essay_template",
      ...expected[1]
    })
    expect(fs.existsSync(path.join(root, "cohorts", "daydream-pilot", "membership.csv"))).toBe(false)
  })

  it("a tuple's items from a CSV include: the file and line of the row", () => {
    const root = withSpec(
      config.replace("items: [[sonnet-4, 1], [sonet-4, 2]]", "items: '@file:items/judges.csv'").replace(
        "'@file:items/combos.csv'",
        "[combo_v1_080599e679b7]"
      ),
      { ...includes, "items/judges.csv": "llm,replicate\nsonnet-4,1\n\ngpt-x,2\n" }
    )
    const run = cohort(["build", "daydream-pilot", "--data-root", root, "--json"])
    expect(run.code).toBe(1)
    const problems = JSON.parse(cohort(["validate", "daydream-pilot", "--data-root", root, "--json"]).stdout).problems
    expect(problems.at(-1)).toMatchObject({
      stage: "evaluation",
      field: "llm_model_id",
      missing: ["gpt-x"],
      origins: { "gpt-x": { key: "rules.tuples.judges.items[1]", file: "items/judges.csv", line: 4 } }
    })
    expect(problems.at(-1).suggestions).toBeUndefined()
    expect(problems.at(-1).message).toContain("gpt-x at items/judges.csv line 4 (rules.tuples.judges.items[1])")
  })
})
