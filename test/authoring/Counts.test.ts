import { describe, expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import * as path from "node:path"
import { formatCount } from "../../src/index.js"
import { cliMain } from "../support/Cli.js"
import { repoRoot } from "../support/Fixtures.js"

describe("counts are written one way everywhere", () => {
  it("formatCount groups digits by commas; what is no whole number is left as it is", () => {
    expect([0, 7, 999, 1000, 12345, 1234567, -1234].map(formatCount)).toEqual([
      "0",
      "7",
      "999",
      "1,000",
      "12,345",
      "1,234,567",
      "-1,234"
    ])
    expect(formatCount(1.5)).toBe("1.5")
    expect(formatCount(2 ** 60)).toBe(String(2 ** 60))
  })

  it("the CLI's announcement and the error's sentence write the same count the same way", () => {
    const spec = path.join(repoRoot, "bench", "large-624k", "config.yaml")
    const run = spawnSync(process.execPath, [cliMain, "plan", spec, "--cohort-id", "x", "--max-rows", "1000"], {
      encoding: "utf8"
    })
    expect(run.status).toBe(1)
    const [announced, error] = run.stderr.trimEnd().split("\n")
    expect(announced).toBe("planning: 600,000 design rows")
    expect(error).toMatch(/^InvalidSpec: .*: the design would have 600,000 rows, more than the limit of 1,000 /)
  })
})
