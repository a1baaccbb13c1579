import { afterEach, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { buildCohortMembership, type CohortDefinition, InvalidConstraint } from "../src/index.js"
import { buildLayer } from "./support/Builds.js"
import { runCli } from "./support/Cli.js"
import { syntheticDataRoot } from "./support/DataRoots.js"
import { repoRoot } from "./support/Fixtures.js"

const draft = { comboId: "combo-1", templateId: "draft-a", llmModelId: "m1", replicate: 1 }
const essay = { draft, templateId: "essay-a", llmModelId: "m2", replicate: 1 }

/** A build of a definition handed in as is (as an embedder's spec repository would). */
const buildOf = (definition: unknown) =>
  buildCohortMembership("embedded").pipe(
    Effect.provide(buildLayer([{ cohortId: "embedded", metadata: {}, definition: definition as CohortDefinition }]))
  )

describe("the builder validates a definition handed in by an embedder", () => {
  const refused: ReadonlyArray<[string, unknown, string]> = [
    [
      "a replicate of 0n",
      { drafts: [{ ...draft, replicate: 0n }], essays: [], evaluations: [] },
      "drafts[0].replicate: 0"
    ],
    [
      "a replicate of 0",
      { drafts: [{ ...draft, replicate: 0 }], essays: [], evaluations: [] },
      "drafts[0].replicate: 0"
    ],
    [
      "a negative replicate",
      { drafts: [draft], essays: [{ ...essay, replicate: -3 }], evaluations: [] },
      "essays[0].replicate: -3"
    ],
    [
      "a fractional replicate",
      { drafts: [{ ...draft, replicate: 1.5 }], essays: [], evaluations: [] },
      "drafts[0].replicate: 1.5"
    ],
    [
      "a non-string id",
      { drafts: [{ ...draft, templateId: 42 }], essays: [], evaluations: [] },
      "drafts[0].templateId: 42"
    ],
    [
      "an empty id",
      { drafts: [draft], essays: [{ ...essay, llmModelId: "" }], evaluations: [] },
      "essays[0].llmModelId: \"\""
    ],
    ["an id with a control character", {
      drafts: [{ ...draft, comboId: "combo\u001b[2J" }],
      essays: [],
      evaluations: []
    }, "drafts[0].comboId"],
    [
      "an id with a C1 control",
      { drafts: [{ ...draft, comboId: "combo\u0085" }], essays: [], evaluations: [] },
      "drafts[0].comboId"
    ]
  ]
  it.effect.each(refused)(
    "%s is InvalidConstraint naming the entry",
    ([, definition, named]) =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(buildOf(definition))
        expect(error).toBeInstanceOf(InvalidConstraint)
        expect((error as InvalidConstraint).details?.[0]).toContain(named)
        expect(error).toMatchObject({ constraint: "definition-entry" })
      })
  )

  it.effect("the largest replicate, 2^31 − 1, is built", () =>
    Effect.gen(function*() {
      const result = yield* buildOf({ drafts: [{ ...draft, replicate: 2147483647 }], essays: [], evaluations: [] })
      expect(result.membershipPreview.array("replicate")).toEqual([2147483647])
    }))

  it.effect("replicates beyond 2^31 − 1 (numbers or bigints) are built exactly, as Python's int keeps them", () =>
    Effect.gen(function*() {
      const drafts = [2147483647, 2147483648, 4294967297, 2n ** 60n, 9007199254740993n, 2n ** 60n].map((replicate) => ({
        ...draft,
        replicate
      }))
      const result = yield* buildOf({ drafts, essays: [], evaluations: [] })
      // 2^60 twice is one generation (the same signature); the neighbours of 2^31 and 2^32 stay apart.
      expect(Array.from(result.membershipPreview.array("replicate") as ArrayLike<unknown>, String))
        .toEqual(["2147483647", "2147483648", "4294967297", "1152921504606846976", "9007199254740993"])
    }))
})

const cohort = (args: Array<string>) => runCli(args, 60_000)

let cleanups: Array<() => void> = []
afterEach(() => {
  cleanups.forEach((c) => c())
  cleanups = []
})

describe("lookups keyed by data", () => {
  it("templates named __proto__ and constructor get their own mode in metadata", { timeout: 60_000 }, async () => {
    const made = syntheticDataRoot(1)
    cleanups.push(made.cleanup)
    const rename = (file: string) =>
      fs.writeFileSync(
        file,
        fs.readFileSync(file, "utf8").replace(/\bdt-1\b/g, "__proto__").replace(/\bes-1\b/g, "constructor")
      )
    rename(path.join(made.root, "1_raw", "draft_templates.csv"))
    rename(path.join(made.root, "1_raw", "essay_templates.csv"))
    rename(path.join(made.root, "cohorts", "synthetic", "spec", "config.yaml"))
    const run = await cohort(["build", "synthetic", "--data-root", made.root])
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" })
    const modes = new Map<string, unknown>()
    for (const stage of ["draft", "essay"]) {
      for (const id of fs.readdirSync(path.join(made.root, "gens", stage))) {
        const meta = JSON.parse(fs.readFileSync(path.join(made.root, "gens", stage, id, "metadata.json"), "utf8"))
        modes.set(meta.template_id, meta.mode)
      }
    }
    expect(modes.get("__proto__")).toBe("llm")
    expect(modes.get("constructor")).toBe("llm")
    expect(modes.get("dt-2")).toBe("llm")
  })
})

describe("a deleted working directory", () => {
  it("is one tagged line, exit 1", { timeout: 60_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cohort-cwd-"))
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }))
    const gone = path.join(dir, "gone")
    fs.mkdirSync(gone)
    const main = path.join(repoRoot, "dist", "main.js")
    const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn("sh", [
        "-c",
        `cd "$1" && rmdir "$1" && exec "$2" "$3" validate pilot --data-root rel`,
        "sh",
        gone,
        process.execPath,
        main
      ])
      let stderr = ""
      child.stderr.on("data", (d) => (stderr += d))
      child.on("close", (code) => resolve({ code, stderr }))
    })
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(
      /^WorkingDirectoryMissing: the working directory no longer exists \(uv_cwd: ENOENT\)[^\n]*\n$/
    )
  })
})
