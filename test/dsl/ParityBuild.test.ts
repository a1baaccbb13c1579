import { afterEach, describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { runCli } from "../support/Cli.js"

/**
 * Whole builds the differential run against the original (d2be249) found apart. Each case under
 * test/fixtures/parity-build/<case>/ holds a data root (`input/`: catalogs, one cohort's spec, and
 * generations already on disk) and `expected/`: every membership.csv, manifest.json and gens/ metadata
 * file the original's cohort builder left in a copy of that data root (run without Dagster: its
 * spec_planner, membership_engine and gens_data_layer). `cohort build` must leave the same bytes.
 */

const ROOT = path.join(__dirname, "..", "fixtures", "parity-build")
const CASES = fs.readdirSync(ROOT).filter((name) => fs.existsSync(path.join(ROOT, name, "expected")))

const filesUnder = (dir: string): Array<string> =>
  fs.existsSync(dir)
    ? (fs.readdirSync(dir, { recursive: true }) as Array<string>)
      .filter((f) => fs.statSync(path.join(dir, f)).isFile())
      .map((f) => f.split(path.sep).join("/"))
      .sort()
    : []

let cleanups: Array<() => void> = []
afterEach(() => {
  cleanups.forEach((c) => c())
  cleanups = []
})

describe("a build leaves the original's bytes", () => {
  for (const name of CASES) {
    it(name, { timeout: 60_000 }, async () => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), `cohort-parity-${name}-`))
      cleanups.push(() => fs.rmSync(root, { recursive: true, force: true }))
      fs.cpSync(path.join(ROOT, name, "input"), root, { recursive: true })
      const [cohortId] = fs.readdirSync(path.join(root, "cohorts"))
      const run = await runCli(["build", cohortId!, "--data-root", root])
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" })
      const expected = path.join(ROOT, name, "expected")
      const expectedFiles = filesUnder(expected)
      // The same metadata files (no generation more, none fewer), each with the same bytes.
      expect(filesUnder(path.join(root, "gens")).map((f) => `gens/${f}`))
        .toEqual(expectedFiles.filter((f) => f.startsWith("gens/")))
      for (const file of expectedFiles) {
        expect({ file, text: fs.readFileSync(path.join(root, file), "utf8") })
          .toEqual({ file, text: fs.readFileSync(path.join(expected, file), "utf8") })
      }
    })
  }
})
