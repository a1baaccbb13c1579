import { afterEach, describe, expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { copyExampleDataRoot, snapshot } from "../support/DataRoots.js"
import { fixturePath, goldenCases, readText, repoRoot } from "../support/Fixtures.js"

const main = path.join(repoRoot, "dist", "main.js")

/** Runs the built CLI as a user would. */
const cohort = (args: Array<string>, env: Record<string, string> = {}) => {
  const run = spawnSync(process.execPath, [main, ...args], {
    encoding: "utf8",
    env: { ...process.env, ...env },
    maxBuffer: 1 << 28
  })
  return { code: run.status, stdout: run.stdout, stderr: run.stderr }
}

let cleanups: Array<() => void | Promise<void>> = []
afterEach(async () => {
  const done = cleanups
  cleanups = []
  await Promise.all(done.map((c) => c()))
})
const freshRoot = () => {
  const { cleanup, root } = copyExampleDataRoot()
  cleanups.push(cleanup)
  return root
}
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cohort-cli-"))
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

describe("cohort build", () => {
  it("builds the pilot cohort, prints a summary with counts, artifacts and a preview", () => {
    const root = freshRoot()
    const run = cohort(["build", "daydream-pilot", "--data-root", root, "--preview-rows", "3"])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain("cohort daydream-pilot: 232 rows (16 drafts, 24 essays, 192 evaluations)")
    expect(run.stdout).toContain("generations: 232 new, 0 already present")
    expect(run.stdout).toContain(path.join(root, "cohorts", "daydream-pilot", "membership.csv"))
    expect(run.stdout).toMatch(/preview \(first 3 of 232 rows\):\nstage +gen_id/)
    expect(fs.existsSync(path.join(root, "cohorts", "daydream-pilot", "manifest.json"))).toBe(true)
    const again = cohort(["build", "daydream-pilot", "--data-root", root])
    expect(again.stdout).toContain("generations: 0 new, 232 already present")
  })

  it("--json prints {ok: true, result} with the preview as rows", () => {
    const root = freshRoot()
    const run = cohort(["build", "daydream-pilot", "--data-root", root, "--json", "--dry-run", "--preview-rows", "2"])
    expect(run.code).toBe(0)
    const out = JSON.parse(run.stdout)
    expect(out.ok).toBe(true)
    expect(out.result).toMatchObject({ cohort_id: "daydream-pilot", row_count: 232, artifacts: {} })
    expect(out.result.membership_preview).toHaveLength(2)
    expect(Object.keys(out.result.membership_preview[0])).toEqual([
      "stage",
      "gen_id",
      "origin_cohort_id",
      "parent_gen_id",
      "combo_id",
      "template_id",
      "llm_model_id",
      "replicate"
    ])
    expect(out.result.metadata).toMatchObject({ rows: 232, drafts: 16, validation_warnings: [] })
    expect(fs.existsSync(path.join(root, "gens"))).toBe(false)
  })

  it("a failure exits 1 with one stderr line starting with the tag, and writes nothing", () => {
    const root = freshRoot()
    fs.writeFileSync(path.join(root, "1_raw", "evaluation_templates.csv"), "template_id,generator\nnovelty-v2,llm\n")
    const before = snapshot(root)
    const run = cohort(["build", "daydream-pilot", "--data-root", root])
    expect(run.code).toBe(1)
    expect(run.stderr.trimEnd().split("\n")).toEqual([
      "CoverageGap: evaluation template_id not in catalog: daydreaming-verification-v3 " +
      `(catalog ${path.join(root, "1_raw", "evaluation_templates.csv")}, from design field evaluation_template: ` +
      "daydreaming-verification-v3 at axes.evaluation_template[0])"
    ])
    expect(run.stdout).toBe("")
    expect(snapshot(root)).toEqual(before)
  })

  it("--json on failure prints {ok: false, error} with the tag and fields", () => {
    const root = freshRoot()
    const run = cohort(["build", "ghost", "--data-root", root, "--json"])
    expect(run.code).toBe(1)
    const out = JSON.parse(run.stdout)
    expect(out).toMatchObject({ ok: false, error: { _tag: "SpecNotFound", cohort_id: "ghost" } })
    expect(out.error.message).toContain("does not exist")
    expect(run.stderr.startsWith("SpecNotFound: ")).toBe(true)
  })

  it("--data-root falls back to $COHORT_DATA_ROOT", () => {
    const root = freshRoot()
    const run = cohort(["build", "daydream-pilot", "--dry-run"], { COHORT_DATA_ROOT: root })
    expect(run.code).toBe(0)
    expect(run.stdout).toContain("dry run: nothing was written")
  })

  it("usage errors exit 2", () => {
    expect(cohort(["build"]).code).toBe(2)
    expect(cohort(["build", "--no-such-flag"]).code).toBe(2)
    expect(cohort(["plan", "x.yaml"]).code).toBe(2)
    expect(cohort(["build", "x", "--preview-rows", "many"]).code).toBe(2)
  })

  it("a count option below its least value is a usage error naming the option and the value, nothing written", () => {
    const root = freshRoot()
    const before = snapshot(root)
    const cases: Array<[Array<string>, string]> = [
      [["build", "daydream-pilot", "--preview-rows", "-5"], "--preview-rows must be a whole number ≥ 0, not -5"],
      [["build", "daydream-pilot", "--max-rows", "-1"], "--max-rows must be a whole number ≥ 0, not -1"],
      [["build", "daydream-pilot", "--wait", "-2"], "--wait must be a whole number ≥ 0, not -2"],
      [["validate", "daydream-pilot", "--max-rows", "-7"], "--max-rows must be a whole number ≥ 0, not -7"],
      [["serve", "--port", "0", "--max-body-bytes", "0"], "--max-body-bytes must be a whole number ≥ 1, not 0"],
      [["serve", "--port", "0", "--max-body-bytes", "-3"], "--max-body-bytes must be a whole number ≥ 1, not -3"],
      [["serve", "--port", "0", "--max-rows", "-1"], "--max-rows must be a whole number ≥ 0, not -1"]
    ]
    for (const [args, message] of cases) {
      const run = cohort([...args, "--data-root", root])
      expect({ args, code: run.code, listened: run.stdout.includes("listening") }).toEqual({
        args,
        code: 2,
        listened: false
      })
      expect(run.stderr).toContain(message)
    }
    expect(snapshot(root)).toEqual(before)
  })

  it("--help describes every command with an example", () => {
    for (const command of ["build", "validate", "plan", "design"]) {
      const run = cohort([command, "--help"])
      expect(run.code).toBe(0)
      expect(run.stdout).toContain("Example: cohort " + command)
    }
  })
})

describe("cohort validate", () => {
  it("passes the pilot cohort without writing anything", () => {
    const root = freshRoot()
    const before = snapshot(root)
    const run = cohort(["validate", "daydream-pilot", "--data-root", root, "--json"])
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout).result.row_count).toBe(232)
    expect(snapshot(root)).toEqual(before)
  })

  it("fails on warnings (a strict dry run)", () => {
    const root = freshRoot()
    const spec = path.join(root, "cohorts", "daydream-pilot", "spec", "config.yaml")
    fs.writeFileSync(
      spec,
      readText(spec).replace("subsets:\n    draft_template: [", "subsets:\n    draft_template: [no-such-level, ")
    )
    const run = cohort(["validate", "daydream-pilot", "--data-root", root])
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^InvalidConstraint: .*no-such-level/)
  })
})

describe("cohort plan and design on the goldens", () => {
  for (const name of goldenCases) {
    const dir = fixturePath("spec-golden", name)
    it(`design ${name} reproduces expected_design.csv`, () => {
      const run = cohort(["design", path.join(dir, "config.yaml")])
      expect(run.code).toBe(0)
      expect(run.stdout).toBe(readText(path.join(dir, "expected_design.csv")))
    })
    if (fs.existsSync(path.join(dir, "expected_membership.csv"))) {
      it(`plan ${name} reproduces expected_membership.csv`, () => {
        const out = path.join(tempDir(), "membership.csv")
        const run = cohort(["plan", path.join(dir, "config.yaml"), "--cohort-id", `golden-${name}`, "--out", out])
        expect(run.code).toBe(0)
        expect(readText(out)).toBe(readText(path.join(dir, "expected_membership.csv")))
      })
    }
  }

  it("--seed 7 reproduces the seeded goldens", () => {
    const dir = fixturePath("spec-golden", "cohort_cartesian")
    expect(cohort(["design", path.join(dir, "config.yaml"), "--seed", "7"]).stdout).toBe(
      readText(path.join(dir, "expected_design_seed7.csv"))
    )
    expect(cohort(["plan", path.join(dir, "config.yaml"), "--cohort-id", "golden-seeded", "--seed", "7"]).stdout).toBe(
      readText(path.join(dir, "expected_membership_seed7.csv"))
    )
  })

  it("--seed takes any integer as Python does: -7 shuffles as 7, seeds beyond 2^53 exactly", () => {
    const dir = fixturePath("spec-golden", "cohort_cartesian")
    expect(cohort(["design", path.join(dir, "config.yaml"), "--seed", "-7"]).stdout).toBe(
      readText(path.join(dir, "expected_design_seed7.csv"))
    )
    // Random(seed).shuffle as Python 3.11 left these rows (test/fixtures/parity/seeded).
    const seeded = fixturePath("parity", "seeded")
    const expected = JSON.parse(readText(path.join(seeded, "expected_seeds.json"))) as Record<string, string>
    const big = "18446744073709551621"
    expect(cohort(["design", path.join(seeded, "spec", "config.yaml"), "--seed", big]).stdout).toBe(expected[big])
  })

  it("--format jsonl writes one JSON object per row", () => {
    const dir = fixturePath("spec-golden", "creative_alignment_tuple")
    const run = cohort(["plan", path.join(dir, "config.yaml"), "--cohort-id", "j", "--format", "jsonl"])
    const lines = run.stdout.trimEnd().split("\n").map((l) => JSON.parse(l))
    expect(lines).toHaveLength(576)
    expect(lines[0]).toMatchObject({ stage: "draft", origin_cohort_id: "j", replicate: 1 })
    const design = cohort(["design", path.join(dir, "config.yaml"), "--out", path.join(tempDir(), "d.jsonl")])
    expect(design.code).toBe(0)
  })

  it("a bad spec exits 1 with an InvalidSpec line naming the file", () => {
    const spec = path.join(tempDir(), "bad.yaml")
    fs.writeFileSync(spec, "axes: {a: [x]}\noutput: {field_order: [b]}\n")
    const run = cohort(["design", spec])
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(
      new RegExp(`^InvalidSpec: ${spec.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: output\\.field_order\\[0\\]`)
    )
  })

  it("a plan above --max-rows is refused before any row is made", () => {
    const dir = fixturePath("spec-golden", "creative_alignment_tuple")
    const out = path.join(tempDir(), "never.csv")
    const run = cohort(["plan", path.join(dir, "config.yaml"), "--cohort-id", "x", "--max-rows", "100", "--out", out])
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^InvalidSpec: .*528 rows, more than the limit of 100/)
    expect(fs.existsSync(out)).toBe(false)
  })

  it("a design above 100,000 rows announces its size on stderr before making it", () => {
    const dir = tempDir()
    const list = (prefix: string, n: number) => `[${Array.from({ length: n }, (_, i) => `${prefix}${i}`).join(", ")}]`
    fs.writeFileSync(
      path.join(dir, "config.yaml"),
      [
        "axes:",
        `  combo_id: ${list("c", 10)}`,
        `  draft_template: ${list("d", 4)}`,
        `  draft_llm: ${list("m", 2)}`,
        `  essay_template: ${list("e", 5)}`,
        "  essay_llm: [m0]",
        `  evaluation_template: ${list("v", 28)}`,
        `  evaluation_llm: ${list("j", 9)}`,
        "output:",
        "  field_order: [combo_id]"
      ].join("\n")
    )
    const run = cohort(["design", path.join(dir, "config.yaml"), "--out", path.join(dir, "design.csv")])
    expect(run.code).toBe(0)
    expect(run.stderr).toBe("design: 100,800 design rows\n")
    expect(fs.readFileSync(path.join(dir, "design.csv"), "utf8").split("\n").length - 2).toBe(100_800)
  })
})
