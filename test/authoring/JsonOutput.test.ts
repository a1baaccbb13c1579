import { afterEach, describe, expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { cliMain } from "../support/Cli.js"
import { useExampleDataRoots } from "../support/DataRoots.js"

const roots = useExampleDataRoots(afterEach)
const cohort = (args: Array<string>) => {
  const run = spawnSync(process.execPath, [cliMain, ...args], { encoding: "utf8" })
  return { code: run.status, json: JSON.parse(run.stdout) }
}

/** Maps whose keys are data (missing values), not names of the output; their values are still looked at. */
const DATA_MAPS = new Set(["origins", "suggestions"])
/** Maps of data keyed by data at every depth (stage → template id → mode). */
const DATA_TREES = new Set(["template_modes"])

/** Every key of the output that is not snake_case, data maps' own keys aside. */
const otherCase = (value: unknown, at = ""): Array<string> => {
  if (Array.isArray(value)) return value.flatMap((v, i) => otherCase(v, `${at}[${i}]`))
  if (typeof value !== "object" || value === null) return []
  return Object.entries(value).flatMap(([k, v]) => [
    ...(/^[a-z0-9_]+$/.test(k) || k === "_tag" ? [] : [`${at}.${k}`]),
    ...(DATA_TREES.has(k)
      ? []
      : DATA_MAPS.has(k)
      ? Object.values(v as object).flatMap((x) => otherCase(x, `${at}.${k}.*`))
      : otherCase(v, `${at}.${k}`))
  ])
}

describe("--json: keys in one case style, counts as numbers", () => {
  it("a build's result, a validate's problems and a usage error: snake_case keys, numbers as numbers", () => {
    const root = roots.fresh()
    const build = cohort(["build", "daydream-pilot", "--data-root", root, "--json", "--preview-rows", "1"])
    expect(build.code).toBe(0)
    expect(otherCase(build.json)).toEqual([])
    const { result } = build.json
    expect(result.row_count).toBe(232)
    expect(result.generations).toEqual({ written: 232, existing: 0 })
    expect([result.metadata.rows, result.metadata.drafts, result.metadata.evaluations]).toEqual([232, 16, 192])
    expect(typeof result.membership_preview[0].replicate).toBe("number")

    const spec = path.join(root, "cohorts", "daydream-pilot", "spec", "config.yaml")
    fs.writeFileSync(spec, fs.readFileSync(spec, "utf8").replace("novelty-v2]", "novelty-v3]"))
    const validate = cohort(["validate", "daydream-pilot", "--data-root", root, "--json"])
    expect(validate.code).toBe(1)
    expect(validate.json.problems[0]).toMatchObject({ _tag: "CoverageGap", design_field: "evaluation_template" })
    expect(otherCase(validate.json)).toEqual([])

    const usage = cohort(["build", "--json", "--preview-rows", "many"])
    expect(usage.code).toBe(2)
    expect(usage.json).toMatchObject({ ok: false, error: { _tag: "UsageError" } })
    expect(otherCase(usage.json)).toEqual([])
  })
})
