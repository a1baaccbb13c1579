import { afterEach, describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { runCli } from "../support/Cli.js"
import { useExampleDataRoots } from "../support/DataRoots.js"

const { fresh } = useExampleDataRoots(afterEach)

describe("cohort report (CLI)", () => {
  it("writes the page and says where, as text or JSON; an unbuilt spec file works too", async () => {
    const root = fresh()
    const out = path.join(root, "..", "report.html")
    const run = await runCli(["report", "daydream-pilot", "--data-root", root, "--out", out, "--json"])
    expect(run.code).toBe(0)
    const result = JSON.parse(run.stdout).result
    expect(result).toMatchObject({
      cohort_id: "daydream-pilot",
      source: "spec",
      out,
      rows: 232,
      rows_shown: 232,
      warnings: 0
    })
    expect(fs.statSync(out).size).toBe(result.bytes)
    const page = fs.readFileSync(out, "utf8")
    expect(page.startsWith("<!doctype html>")).toBe(true)
    // Self-contained: no URL the browser would fetch (the Vega-Lite $schema stays inside the build).
    expect(page).not.toMatch(/\s(?:src|href)="(?!#)/)
    expect(page).toContain("default-src 'none'")

    const spec = path.join(root, "cohorts", "daydream-pilot", "spec", "config.yaml")
    const byFile = await runCli(["report", spec, "--data-root", root, "--out", out])
    expect(byFile.code).toBe(0)
    expect(byFile.stdout).toContain("spec, not built, 232 rows")
  })

  it("fails as the other commands do, and writes nothing", async () => {
    const root = fresh()
    const out = path.join(root, "..", "none.html")
    const missing = await runCli(["report", "no-such-cohort", "--data-root", root, "--out", out])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/^SpecNotFound: /)
    expect(fs.existsSync(out)).toBe(false)
    const noOut = await runCli(["report", "daydream-pilot", "--data-root", root])
    expect(noOut.code).toBe(2)
    expect(fs.existsSync(out)).toBe(false)
  })
})
