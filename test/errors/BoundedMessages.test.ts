import { afterEach, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { MAX_LISTED, MAX_LISTED_CHARS, MAX_LONG_CHARS } from "../../src/domain/TerminalText.js"
import { parseYaml } from "../../src/dsl/PyYaml.js"
import {
  ArtifactWriteFailed,
  CatalogIncomplete,
  CatalogInvalid,
  CatalogMissing,
  CoverageGap,
  GenerationMetadataMissing,
  IdCollision,
  InvalidConstraint,
  InvalidSpec,
  Locked,
  MembershipInvalid,
  SpecNotFound,
  WorkingDirectoryMissing
} from "../../src/errors/index.js"
import { runCli } from "../support/Cli.js"
import { copyExampleDataRoot } from "../support/DataRoots.js"

/**
 * Every value an error message echoes (file, key, value, and the sentences that quote them) is bounded
 * where the message is made: a 1 MB key or value makes a message of a few kB at most; the error's
 * fields keep the values whole.
 */
const MB = "k".repeat(1 << 20)
/**
 * The most a message of a few bounded parts can be (each cut, with its "… (N more characters)"): a list
 * of sentences (InvalidConstraint's details) is the longest.
 */
const SHORT = (MAX_LISTED + 6) * (MAX_LONG_CHARS + 40)
/** What one runaway value in a spec may make of the CLI's output (the message, printed twice). */
const SHORT_OUTPUT = 4 * (MAX_LONG_CHARS + 40) + 6 * (MAX_LISTED_CHARS + 40)

const many = () => Array.from({ length: MAX_LISTED + 10 }, () => MB)

describe("every echoed value of a tagged error's message is bounded", () => {
  // Made in the test (no 1 MB value passes through the runner's names or diffs).
  it.for(
    [
      ["ArtifactWriteFailed", () => new ArtifactWriteFailed({ path: MB, cause: MB })],
      ["CatalogIncomplete", () => new CatalogIncomplete({ slice: MB, path: MB, missingColumns: many() })],
      ["CatalogInvalid", () => new CatalogInvalid({ slice: MB, path: MB, reason: MB })],
      ["CatalogMissing", () => new CatalogMissing({ slice: MB, path: MB, reason: MB })],
      ["CoverageGap (catalog)", () => new CoverageGap({ field: "combo_id", missing: ["x"], catalog: MB })],
      ["CoverageGap (design field)", () => new CoverageGap({ field: "combo_id", missing: ["x"], designField: MB })],
      [
        "CoverageGap (every value)",
        () =>
          new CoverageGap({
            stage: MB,
            field: MB,
            missing: many(),
            catalog: MB,
            designField: MB,
            origins: { [MB]: { key: MB, file: MB, line: 1 } },
            suggestions: { [MB]: MB }
          })
      ],
      [
        "GenerationMetadataMissing",
        () => new GenerationMetadataMissing({ stage: MB, genId: MB, path: MB, reason: MB, key: MB })
      ],
      ["IdCollision", () => new IdCollision({ stage: MB, signature: MB, attempts: many() })],
      ["InvalidConstraint", () => new InvalidConstraint({ reason: MB, cohortId: MB, details: many() })],
      ["InvalidSpec", () => new InvalidSpec({ path: MB, reason: MB, key: MB, value: MB, hint: MB })],
      ["Locked", () => new Locked({ path: MB, waitedSeconds: 1, pid: 1, host: MB, since: MB })],
      [
        "Locked (taken over)",
        () => new Locked({ path: MB, waitedSeconds: 0, pid: 1, host: MB, since: MB, takenOver: true })
      ],
      ["MembershipInvalid", () => new MembershipInvalid({ path: MB, reason: MB, line: 1, value: MB })],
      ["SpecNotFound", () => new SpecNotFound({ cohortId: MB, path: MB, hint: MB })],
      ["WorkingDirectoryMissing", () => new WorkingDirectoryMissing({ cause: MB })]
    ] as const
  )("%s", ([, make]) => {
    const error: Error = make()
    expect(error.message.length).toBeLessThan(SHORT)
    expect(error.message.includes("more characters")).toBe(true)
    // The fields keep what was given.
    // (Own names: an error's `cause` field is not enumerable.)
    const values = Object.getOwnPropertyNames(error).map((name) => (error as unknown as Record<string, unknown>)[name])
    expect(values.some((v) => v === MB || (Array.isArray(v) && v[0] === MB))).toBe(true)
  })
})

describe("a 1 MB YAML key of digits, or tag, makes a short syntax error", () => {
  it.effect.each(
    [
      ["a quoted key of digits", () => `? "${"9".repeat(1 << 20)}"\n: 1\n`],
      ["an unknown tag", () => `a: !${MB} 1\n`]
    ] as const
  )("%s", ([, text]) =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(parseYaml(text()))
      expect(error.reason.length).toBeLessThan(MAX_LONG_CHARS + 40)
      expect(error.reason.includes("more characters")).toBe(true)
    }))
})

describe("the CLI prints a short message for a spec with a 1 MB key or value", () => {
  const made: Array<() => Promise<void>> = []
  afterEach(async () => {
    await Promise.all(made.splice(0).map((cleanup) => cleanup()))
  })
  it.for(
    [
      ["an unknown key of 1 MB", (spec: string) => `${spec}? "${MB}"\n: 1\n`],
      ["a key of 100 kB that is a list", (spec: string) => `${spec}? [${"x,".repeat(50_000)}x]\n: 1\n`],
      ["a tag of 1 MB", (spec: string) => `${spec}x: !${MB} 1\n`],
      [
        "an included file named by 1 MB",
        (spec: string) => spec.replace("'@file:items/combos.csv'", `'@file:${MB}.csv'`)
      ],
      ["a field_order value of 1 MB", (spec: string) => spec.replace("field_order: [", `field_order: [${MB}, `)]
    ] as const
  )("%s", { timeout: 60_000 }, async ([, edit]) => {
    const { cleanup, root } = copyExampleDataRoot()
    made.push(cleanup)
    const config = path.join(root, "cohorts", "daydream-pilot", "spec", "config.yaml")
    fs.writeFileSync(config, edit(fs.readFileSync(config, "utf8")))
    for (const command of ["validate", "build"]) {
      const run = await runCli([command, "daydream-pilot", "--data-root", root])
      const out = run.stderr + run.stdout
      expect(out.length).toBeLessThan(SHORT_OUTPUT)
      expect({ code: run.code, tagged: /InvalidSpec: /.test(out) }).toEqual({ code: 1, tagged: true })
    }
  })
})
