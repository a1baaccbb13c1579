import { afterEach, describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { errorJson, errorLine } from "../../src/cli/Report.js"
import {
  ArtifactWriteFailed,
  CatalogIncomplete,
  CatalogInvalid,
  CatalogMissing,
  CoverageGap,
  IdCollision,
  InvalidConstraint,
  InvalidSpec,
  Locked,
  SpecNotFound
} from "../../src/index.js"
import { runCli } from "../support/Cli.js"
import { copyExampleDataRoot } from "../support/DataRoots.js"

const cohort = (args: Array<string>) => runCli(args, 30_000)

let cleanups: Array<() => void> = []
afterEach(() => {
  cleanups.forEach((c) => c())
  cleanups = []
})

// ESC (an OSC retitling the terminal), a C1 CSI, NEL, a bidi override, an isolate, a carriage return.
const NASTY = "\u001b]0;pwned\u0007 \u009b2J \u0085 \u202egnp.exe \u2066x\u2069 \r"
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/

describe("error lines never carry control or bidi characters from data", () => {
  const errors = [
    new SpecNotFound({ cohortId: NASTY, path: NASTY }),
    new InvalidSpec({ path: NASTY, reason: NASTY, key: NASTY, value: NASTY, hint: `looked for ${NASTY}` }),
    new InvalidSpec({ path: "spec.yaml", reason: "unknown axis", hint: `expected one of: a, ${NASTY}` }),
    new CatalogMissing({ slice: NASTY, path: NASTY, reason: NASTY }),
    new CatalogIncomplete({ slice: NASTY, missingColumns: [NASTY], path: NASTY }),
    new CatalogInvalid({ slice: "llm_models", path: "x.csv", reason: `column "${NASTY}" appears twice` }),
    new InvalidConstraint({ reason: NASTY, cohortId: NASTY, details: [NASTY] }),
    new CoverageGap({ stage: NASTY, field: NASTY, missing: [NASTY, NASTY] }),
    new IdCollision({ stage: NASTY, signature: NASTY, attempts: [NASTY] }),
    new ArtifactWriteFailed({ path: NASTY, cause: NASTY }),
    new Locked({ path: NASTY, waitedSeconds: 1, pid: 1, host: NASTY, since: NASTY })
  ]
  it.each(errors.map((e) => [e._tag, e] as const))("%s: escaped on its line and in --json's message", (_, error) => {
    const line = errorLine(error)
    expect(line).not.toMatch(UNSAFE)
    expect(line.split("\n")).toHaveLength(1)
    expect(line).toContain("\\u001b]0;pwned\\u0007")
    expect(errorJson(error)["message"]).toBe(line.slice(error._tag.length + 2))
  })

  it(
    "a catalog's duplicate column name and a missing include's name reach stderr escaped",
    { timeout: 60_000 },
    async () => {
      const made = copyExampleDataRoot()
      cleanups.push(made.cleanup)
      const csv = path.join(made.root, "1_raw", "llm_models.csv")
      fs.writeFileSync(csv, "id,\u001b[2J\u009bx,\u001b[2J\u009bx\nm1,a,b\n")
      const duplicate = await cohort(["validate", "daydream-pilot", "--data-root", made.root])
      expect(duplicate.code).toBe(1)
      expect(duplicate.stderr).toMatch(/^CatalogInvalid: .*\\u001b\[2J\\u009bx/)
      expect(duplicate.stderr).not.toMatch(UNSAFE)

      const spec = path.join(path.dirname(made.root), "spec.yaml")
      fs.writeFileSync(spec, `axes:\n  combo_id: '@file:\u001b]0;x\u0007\u202e.csv'\noutput:\n  field_order: []\n`)
      const include = await cohort(["design", spec])
      expect(include.code).toBe(1)
      expect(include.stderr).toContain("\\u001b]0;x\\u0007\\u202e.csv")
      expect(include.stderr).not.toMatch(UNSAFE)
    }
  )
})

describe("CoverageGap lines are bounded", () => {
  it("5,000 missing ids of 100 kB: the first 20 (each cut), then 'and 4,980 more'; --json keeps them all", () => {
    const missing = Array.from({ length: 5000 }, (_, i) => `${String(i).padStart(4, "0")}${"x".repeat(100_000)}`)
    const error = new CoverageGap({ field: "combo_id", missing })
    const line = errorLine(error)
    expect(line.length).toBeLessThan(6_000)
    expect(line).toMatch(/ and 4,980 more$/)
    expect(line.startsWith("CoverageGap: combo_id not in catalog: 0000xxx")).toBe(true)
    expect(errorJson(error)["missing"]).toEqual(missing)
    // A short list is shown whole.
    expect(errorLine(new CoverageGap({ field: "combo_id", missing: ["a", "b"] }))).toBe(
      "CoverageGap: combo_id not in catalog: a, b"
    )
  })
})
