import { afterEach, describe, expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { unreadColumns } from "../../src/domain/UnreadColumns.js"
import { misplacedColumn } from "../../src/dsl/Includes.js"
import { snapshot, useExampleDataRoots } from "../support/DataRoots.js"
import { repoRoot } from "../support/Fixtures.js"

const main = path.join(repoRoot, "dist", "main.js")
const cohort = (args: Array<string>) => {
  const run = spawnSync(process.execPath, [main, ...args], { encoding: "utf8" })
  return { code: run.status, stdout: run.stdout, stderr: run.stderr }
}
const roots = useExampleDataRoots(afterEach)

const specFile = (root: string) => path.join(root, "cohorts", "daydream-pilot", "spec", "config.yaml")
const editSpec = (root: string, edit: (text: string) => string) =>
  fs.writeFileSync(specFile(root), edit(fs.readFileSync(specFile(root), "utf8")))
const validateJson = (root: string) => {
  const run = cohort(["validate", "daydream-pilot", "--data-root", root, "--json"])
  return { code: run.code, out: JSON.parse(run.stdout) as { ok: boolean; error?: { details?: Array<string> } } }
}

describe("design columns no stage reads", () => {
  it("a typo in a replicate axis fails validate, names the column, suggests the field and counts the folded rows", () => {
    const root = roots.fresh()
    editSpec(root, (t) => t.replaceAll("evaluation_replicate", "evaluation_replicates"))
    const text = cohort(["validate", "daydream-pilot", "--data-root", root])
    expect(text.code).toBe(1)
    expect(text.stderr).toContain(`design column "evaluation_replicates" is read by no stage`)
    expect(text.stderr).toContain(`did you mean "evaluation_replicate"?`)
    // 192 design rows, the replicate axis read by no one: every pair of rows folds into one evaluation.
    expect(text.stderr).toContain("96 of 192 design rows fold into others (96 evaluations)")
    const json = validateJson(root)
    expect(json.code).toBe(1)
    expect(json.out.ok).toBe(false)
    expect(json.out.error?.details?.some((w) => w.includes(`"evaluation_replicates"`))).toBe(true)
  })

  it("an extra axis (no suggestion) is reported too, and build without --strict still succeeds", () => {
    const root = roots.fresh()
    editSpec(
      root,
      (t) =>
        t.replace(
          "  evaluation_llm: [sonnet-4, gemini_25_pro]",
          "  evaluation_llm: [sonnet-4, gemini_25_pro]\n  temperature: [0.2, 0.7]"
        )
    )
    const json = validateJson(root)
    expect(json.code).toBe(1)
    const warning = json.out.error?.details?.find((w) => w.includes(`"temperature"`))
    expect(warning).toContain("192 of 384 design rows fold into others")
    expect(warning).not.toContain("did you mean")
    const built = cohort(["build", "daydream-pilot", "--data-root", root, "--dry-run", "--json"])
    expect(built.code).toBe(0)
    expect(JSON.parse(built.stdout).result.metadata.validation_warnings.length).toBeGreaterThan(0)
  })

  it("the example's own columns are all read: no warning", () => {
    const root = roots.fresh()
    expect(validateJson(root).code).toBe(0)
  })

  it("knows every field and alias, skips the given rule columns, and suggests only close names", () => {
    expect(unreadColumns(["combo", "generation_llm", "draft_rep", "evaluation_llm_replicate"])).toEqual([])
    expect(unreadColumns(["draft_essay", "draft_tempalte"], ["draft_essay"])).toEqual([
      { column: "draft_tempalte", suggestion: "draft_template" }
    ])
    expect(unreadColumns(["temperature"])).toEqual([{ column: "temperature", suggestion: undefined }])
  })
})

describe("multi-column include headers", () => {
  it("a header naming the tuple's axes in another order is refused, naming the file, header and axes", () => {
    const root = roots.fresh()
    const bundle = path.join(root, "cohorts", "daydream-pilot", "spec", "items", "essay_bundle.csv")
    const [, ...rows] = fs.readFileSync(bundle, "utf8").trim().split("\n")
    fs.writeFileSync(
      bundle,
      ["llm,essay_template", ...rows.map((r) => r.split(",").reverse().join(","))].join("\n") + "\n"
    )
    const run = cohort(["validate", "daydream-pilot", "--data-root", root])
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^InvalidSpec: /)
    expect(run.stderr).toContain("essay_bundle.csv")
    expect(run.stderr).toContain("column 1 is axis essay_llm, which the rule lists at position 2")
    expect(run.stderr).toContain("[essay_template, essay_llm]")
  })

  it("matches header cells by name or last words, and leaves unnamed or ambiguous headers positional", () => {
    const axes = ["evaluation_llm", "evaluation_replicate"]
    expect(misplacedColumn(["replicate", "judge"], axes)).toEqual({ column: "replicate", axis: "evaluation_replicate" })
    expect(misplacedColumn(["evaluation_llm", "evaluation_replicate"], axes)).toBeUndefined()
    expect(misplacedColumn(["llm", "replicate"], axes)).toBeUndefined()
    expect(misplacedColumn(["judge", "rep"], axes)).toBeUndefined()
    expect(misplacedColumn(["template", "x"], ["essay_template", "evaluation_template"])).toBeUndefined()
  })
})

describe("catalog warnings", () => {
  it("replication_config.csv rows the manifest drops, or that disagree with the membership, fail validate", () => {
    const root = roots.fresh()
    fs.writeFileSync(
      path.join(root, "1_raw", "replication_config.csv"),
      "stage,replicates\ndraft,1\nessay,0\nevaluation,3\nessay,two\n"
    )
    const json = validateJson(root)
    expect(json.code).toBe(1)
    const details = json.out.error?.details ?? []
    expect(details.filter((w) => w.includes("replication_config.csv"))).toHaveLength(3)
    expect(details.some((w) => w.includes(`row 3 (stage "essay", replicates "0") is ignored`))).toBe(true)
    expect(details.some((w) => w.includes(`row 5 (stage "essay", replicates "two") is ignored`))).toBe(true)
    expect(
      details.some((w) =>
        w.includes("stage evaluation declares 3 replicate(s), but the membership's evaluations have 2")
      )
    ).toBe(true)
  })

  it("a template listed twice with different generators is a warning; the last row decides", () => {
    const root = roots.fresh()
    const file = path.join(root, "1_raw", "essay_templates.csv")
    fs.appendFileSync(file, "parsed-from-links-v1,Again,dup,,llm\n")
    const json = validateJson(root)
    expect(json.code).toBe(1)
    expect(
      json.out.error?.details?.some((w) =>
        w.includes(`template "parsed-from-links-v1" is listed 2 times with different generator values ("copy", "llm")`)
      )
    ).toBe(true)
  })
})

describe("errors that say where to look", () => {
  it("CoverageGap names the catalog file and the design field, and suggests the close catalog value", () => {
    const root = roots.fresh()
    const file = path.join(root, "1_raw", "draft_templates.csv")
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("creative-synthesis-v10,", "creative-synthesis-v11,"))
    const run = cohort(["validate", "daydream-pilot", "--data-root", root, "--json"])
    expect(run.code).toBe(1)
    const error = JSON.parse(run.stdout).error
    expect(error).toMatchObject({
      _tag: "CoverageGap",
      stage: "draft",
      field: "template_id",
      missing: ["creative-synthesis-v10"],
      catalog: file,
      design_field: "draft_template",
      suggestions: { "creative-synthesis-v10": "creative-synthesis-v11" }
    })
    expect(run.stderr).toContain(`draft template_id not in catalog: creative-synthesis-v10 (catalog ${file}`)
    expect(run.stderr).toContain(`did you mean "creative-synthesis-v11" for "creative-synthesis-v10"?`)
  })

  it("SpecNotFound suggests the cohort meant, lists the cohorts there are, or says the data root is missing", () => {
    const root = roots.fresh()
    const typo = cohort(["build", "daydream-pilt", "--data-root", root, "--json"])
    expect(typo.code).toBe(1)
    expect(JSON.parse(typo.stdout).error).toMatchObject({ _tag: "SpecNotFound", cohorts: ["daydream-pilot"] })
    expect(typo.stderr).toContain(`did you mean "daydream-pilot"?`)
    const other = cohort(["build", "zzz", "--data-root", root])
    expect(other.stderr).toContain(`cohorts with a spec: "daydream-pilot"`)
    const missing = path.join(root, "no-such-root")
    const noRoot = cohort(["build", "daydream-pilot", "--data-root", missing])
    expect(noRoot.code).toBe(1)
    expect(noRoot.stderr).toContain(
      `the data root ${missing} does not exist: pass --data-root DIR or set COHORT_DATA_ROOT`
    )
  })

  it("plan/design given a cohort id say that they take a spec file, and where the cohort's spec is", () => {
    for (const args of [["design", "daydream-pilot"], ["plan", "daydream-pilot", "--cohort-id", "x"]]) {
      const run = cohort(args)
      expect(run.code).toBe(1)
      expect(run.stderr).toContain(
        "plan and design take a spec file, and a cohort's spec is <data-root>/cohorts/daydream-pilot/spec/config.yaml"
      )
    }
    // A path that is no file gets no such hint: it was meant as a file.
    expect(cohort(["design", "specs/missing.yaml"]).stderr).not.toContain("take a spec file")
  })
})

describe("validate lists its problems", () => {
  it("every warning, in text on stdout and as {ok: false, problems} with --json; exit 1", () => {
    const root = roots.fresh()
    editSpec(root, (t) => t.replaceAll("evaluation_replicate", "evaluation_replicates"))
    fs.writeFileSync(path.join(root, "1_raw", "replication_config.csv"), "stage,replicates\nessay,two\n")
    const text = cohort(["validate", "daydream-pilot", "--data-root", root])
    expect(text.code).toBe(1)
    expect(text.stdout.split("\n")[0]).toBe("cohort daydream-pilot: 2 problems")
    expect(text.stdout).toMatch(
      /\n {2}warning: .*evaluation_replicates.*\n {2}warning: .*replication_config\.csv: row 2/
    )
    const json = JSON.parse(cohort(["validate", "daydream-pilot", "--data-root", root, "--json"]).stdout)
    expect(json.ok).toBe(false)
    expect(json.problems.map((p: { severity: string }) => p.severity)).toEqual(["warning", "warning"])
    expect(json.error._tag).toBe("InvalidConstraint")
  })

  it("every independent error at once: each catalog's coverage gap (an empty combo catalog too), the build's first first", () => {
    const root = roots.fresh()
    const raw = (name: string) => path.join(root, "1_raw", name)
    // Three independent mistakes: a combo, an essay template and a draft LLM that their catalogs lack.
    const drop = (file: string, prefix: string) =>
      fs.writeFileSync(file, fs.readFileSync(file, "utf8").split("\n").filter((l) => !l.startsWith(prefix)).join("\n"))
    drop(path.join(root, "combo_mappings.csv"), "combo_v1_080599e679b7,")
    drop(raw("essay_templates.csv"), "parsed-from-links-v1,")
    drop(raw("llm_models.csv"), "deepseek_r1_p,")
    const run = cohort(["validate", "daydream-pilot", "--data-root", root, "--json"])
    expect(run.code).toBe(1)
    const json = JSON.parse(run.stdout)
    expect(json.ok).toBe(false)
    expect(
      json.problems.map((
        p: Record<string, unknown>
      ) => [p["severity"], p["_tag"], p["slice"] ?? `${p["stage"]} ${p["field"]}`])
    )
      .toEqual([
        ["error", "CoverageGap", "undefined combo_id"],
        ["error", "CoverageGap", "essay template_id"],
        ["error", "CoverageGap", "draft llm_model_id"]
      ])
    expect(json.problems[0]).toMatchObject({ missing: ["combo_v1_080599e679b7"] })
    expect(json.problems[1]).toMatchObject({ missing: ["parsed-from-links-v1"] })
    expect(json.problems[2]).toMatchObject({ missing: ["deepseek_r1_p"] })
    expect(json.error).toMatchObject({ _tag: "CoverageGap", field: "combo_id" })
    const text = cohort(["validate", "daydream-pilot", "--data-root", root])
    expect(text.code).toBe(1)
    expect(text.stdout.split("\n")[0]).toBe("cohort daydream-pilot: 3 problems")
    expect(text.stdout).toMatch(
      /\n {2}error: .*combo_v1_080599e679b7.*\n {2}error: .*parsed-from-links-v1.*\n {2}error: .*deepseek_r1_p/
    )
    expect(text.stderr).toMatch(/^CoverageGap: /)
    // A missing catalog is listed with the gaps of the catalogs that are there (its own checks left out).
    fs.writeFileSync(
      path.join(root, "combo_mappings.csv"),
      "combo_id,version,concept_id,description_level,k_max,created_at\n"
    )
    const empty = JSON.parse(cohort(["validate", "daydream-pilot", "--data-root", root, "--json"]).stdout)
    expect(empty.problems.map((p: Record<string, unknown>) => p["_tag"])).toEqual([
      "CatalogMissing",
      "CoverageGap",
      "CoverageGap"
    ])
  })

  it("every missing, unreadable or invalid catalog file at once, each naming its file; text and --json; exit 1", () => {
    const root = roots.fresh()
    const raw = (name: string) => path.join(root, "1_raw", name)
    fs.rmSync(raw("essay_templates.csv"))
    fs.writeFileSync(raw("llm_models.csv"), Buffer.from([0x69, 0x64, 0x0a, 0xff, 0xfe, 0x0a]))
    const drafts = fs.readFileSync(raw("draft_templates.csv"), "utf8").trimEnd().split("\n")
    fs.writeFileSync(raw("draft_templates.csv"), drafts.map((l, i) => `${l},${i === 0 ? "active" : "1"}`).join("\n"))
    const run = cohort(["validate", "daydream-pilot", "--data-root", root, "--json"])
    expect(run.code).toBe(1)
    const json = JSON.parse(run.stdout)
    expect(json.ok).toBe(false)
    expect(json.problems.map((p: Record<string, unknown>) => [p["severity"], p["_tag"], p["slice"], p["path"]]))
      .toEqual([
        ["error", "CatalogInvalid", "draft_templates", raw("draft_templates.csv")],
        ["error", "CatalogMissing", "essay_templates", raw("essay_templates.csv")],
        ["error", "CatalogInvalid", "llm_models", raw("llm_models.csv")]
      ])
    expect(json.error).toMatchObject({ _tag: "CatalogInvalid", slice: "draft_templates" })
    const text = cohort(["validate", "daydream-pilot", "--data-root", root])
    expect(text.code).toBe(1)
    expect(text.stdout.split("\n")).toEqual([
      "cohort daydream-pilot: 3 problems",
      expect.stringMatching(/^ {2}error: catalog draft_templates \(.*draft_templates\.csv\): .*'active'/),
      expect.stringMatching(/^ {2}error: catalog essay_templates \(.*essay_templates\.csv\): file not found$/),
      expect.stringMatching(/^ {2}error: catalog llm_models \(.*llm_models\.csv\): .*UTF-8/),
      ""
    ])
    expect(text.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^CatalogInvalid: catalog draft_templates/)])
  })

  it("three independent spec errors are three problems in spec order (text and --json), exit 1, nothing written", () => {
    const root = roots.fresh()
    editSpec(root, (t) =>
      t.replace("'@file:items/combos.csv'", "'@file:items/combo.csv'")
        .replace("  subsets:\n    draft_template:", "  subsets:\n    draft_templates:")
        .replace("      right: essay_bundle\n", "      right: essay_bundle\n      balanse: left\n"))
    const before = snapshot(root)
    const run = cohort(["validate", "daydream-pilot", "--data-root", root, "--json"])
    expect(run.code).toBe(1)
    const json = JSON.parse(run.stdout)
    expect(json.ok).toBe(false)
    expect(json.problems.map((p: Record<string, unknown>) => [p["severity"], p["_tag"], p["key"], p["reason"]]))
      .toEqual([
        ["error", "InvalidSpec", "axes.combo_id", "included file not found"],
        [
          "error",
          "InvalidSpec",
          "rules.subsets.draft_templates",
          "names no axis (or one an earlier rule already coupled)"
        ],
        ["error", "InvalidSpec", "rules.pairs.draft_essay.balanse", "unknown key"]
      ])
    expect(json.problems[1].hint).toBe(`did you mean "draft_template"?`)
    expect(json.problems[2].hint).toBe(`did you mean "balance"?`)
    // The build (and validate's stderr line) meets the schema error first, as before.
    expect(json.error).toMatchObject({ _tag: "InvalidSpec", key: "rules.pairs.draft_essay.balanse" })
    const text = cohort(["validate", "daydream-pilot", "--data-root", root])
    expect(text.code).toBe(1)
    expect(text.stdout.split("\n")).toEqual([
      "cohort daydream-pilot: 3 problems",
      expect.stringMatching(/^ {2}error: .*config\.yaml: axes\.combo_id: included file not found/),
      expect.stringMatching(/^ {2}error: .*config\.yaml: rules\.subsets\.draft_templates: names no axis/),
      expect.stringMatching(/^ {2}error: .*config\.yaml: rules\.pairs\.draft_essay\.balanse: unknown key/),
      ""
    ])
    expect(text.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^InvalidSpec: .*balanse: unknown key/)])
    // The README shows this very output (the data root's cohort folder written as "…").
    const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8")
    const shown = /three independent mistakes in config\.yaml\n([\s\S]*?)\n```/.exec(readme)![1]!
    expect(text.stdout.trimEnd().replaceAll(path.join(root, "cohorts", "daydream-pilot"), "…")).toBe(shown)
    const build = cohort(["build", "daydream-pilot", "--data-root", root])
    expect(build.code).toBe(1)
    expect(build.stderr.trim().split("\n")).toEqual([text.stderr.trim()])
    expect(snapshot(root)).toEqual(before)
  })

  it("an error after which nothing else can be checked (the spec) is the one problem", () => {
    const root = roots.fresh()
    editSpec(root, (t) => t.replace("axes:", "axes: [broken"))
    const json = JSON.parse(cohort(["validate", "daydream-pilot", "--data-root", root, "--json"]).stdout)
    expect(json.problems).toHaveLength(1)
    expect(json.problems[0]).toMatchObject({ severity: "error", _tag: "InvalidSpec" })
  })

  it("a clean cohort: {ok: true, result, problems: []}", () => {
    const json = JSON.parse(cohort(["validate", "daydream-pilot", "--data-root", roots.fresh(), "--json"]).stdout)
    expect(json).toMatchObject({ ok: true, problems: [], result: { cohort_id: "daydream-pilot", row_count: 232 } })
  })
})

describe("design-stage errors at the spec's own place", () => {
  const write = (dir: string, files: Record<string, string>) => {
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true })
      fs.writeFileSync(path.join(dir, name), text)
    }
  }
  const base = [
    "  combo_id: [c1]",
    "  draft_template: [d1]",
    "  draft_llm: [m1]",
    "  essay_template: [e1]",
    "  essay_llm: [m1]",
    "  evaluation_template: [v1]"
  ].join("\n")

  it("a bad value from an include names the axis, its index, the include file and the line", () => {
    const dir = path.join(roots.fresh(), "spec-at-place")
    write(dir, {
      "config.yaml":
        `axes:\n${base}\n  evaluation_llm: [j1]\n  evaluation_replicate: '@file:items/reps.txt'\noutput:\n  field_order: [combo_id]\n`,
      "items/reps.txt": "1\n2\nthree\n"
    })
    const run = spawnSync(process.execPath, [main, "plan", "config.yaml", "--cohort-id", "x"], {
      cwd: dir,
      encoding: "utf8"
    })
    expect(run.status).toBe(1)
    expect(run.stderr).toContain(
      `config.yaml: axes.evaluation_replicate[2]: replicate must be a whole number of at least 1: "three"`
    )
    expect(run.stderr).toContain(
      "(from @file:items/reps.txt, design row 3, column evaluation_replicate; line 3 of items/reps.txt)"
    )
  })

  it("a bad value from a tuple's items names the rule's item", () => {
    const dir = path.join(roots.fresh(), "tuple-at-place")
    write(dir, {
      "config.yaml":
        `axes:\n${base}\nrules:\n  tuples:\n    judges:\n      axes: [evaluation_llm, evaluation_replicate]\n` +
        `      items: [[j1, 1], [j2, 0]]\noutput:\n  field_order: [combo_id]\n`
    })
    const run = spawnSync(process.execPath, [main, "plan", "config.yaml", "--cohort-id", "x"], {
      cwd: dir,
      encoding: "utf8"
    })
    expect(run.status).toBe(1)
    expect(run.stderr).toContain(
      `config.yaml: rules.tuples.judges.items[1]: replicate must be a whole number of at least 1: "0"`
    )
  })
})
