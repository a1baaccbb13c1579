import { NodeContext } from "@effect/platform-node"
import { afterEach, describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, FastCheck as fc, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import type * as Index from "../../src/index.js"
import { membershipHeader, readMembershipIds } from "../../src/lifecycle/CohortMembers.js"
import { dataLines, lineFolder } from "../../src/lifecycle/GenerationFiles.js"
import { useExampleDataRoots, useTempRoots } from "../support/DataRoots.js"
import { repoRoot } from "../support/Fixtures.js"
import { buildOn, membershipOf, writeGenerationFiles } from "./LifecycleRoots.js"

// Status probes a built cohort's folders from its membership.csv's lines (on the workers) before it
// knows the rows; each row then takes the bits of its line. These tests hold the line a row maps to to
// name the row's folder, and the status so made to equal the one made after the rows.

const tempRoot = useTempRoots(afterEach, "cohort-early-probe-")
const { fresh } = useExampleDataRoots(afterEach)

/** What a status probe reads of a membership text: its rows, and each row's line's folder (or none). */
const foldersOf = (text: string, expected?: { stage: Array<"draft" | "essay" | "evaluation">; genId: Array<string> }) =>
  Effect.gen(function*() {
    const bytes = new Uint8Array(Buffer.from(text, "utf8"))
    const listed = yield* readMembershipIds("membership.csv", expected, bytes)
    const headerEnd = text.indexOf("\n")
    const header = membershipHeader(text.slice(0, headerEnd < 0 ? text.length : headerEnd))!
    const work = { bytes, ...dataLines(bytes), stageCell: header.stage, idCell: header.genId }
    return listed.ids.map((id, r) => ({
      row: `${listed.stages[r]}/${id}`,
      folder: lineFolder(work, listed.lines?.[r] ?? r)
    }))
  })

const stage = fc.constantFrom("draft", "essay", "evaluation")
const id = fc.constantFrom("d_1", "d_2", "e_1", "v_abc", "v-9", "x\"q", "d_ü", "e_\u00a0", "v_1")
/** A stage or id cell as a file may hold it: as it is, padded, or with a tab. */
const cell = (value: fc.Arbitrary<string>) =>
  fc.tuple(value, fc.constantFrom("", " ", "\t", "  ")).map(([v, pad]) => [v, `${pad}${v}${pad}`] as const)
const line = fc.record({
  stage: cell(stage),
  id: cell(id),
  extra: fc.constantFrom("", "x", "cömbo"),
  ending: fc.constantFrom("\n", "\r\n", "\n\n", "\n\r\n")
})

describe("status's probe of a membership.csv's lines", () => {
  it.effect("a row's line names the row's folder, or nothing (then the row is probed by name)", () =>
    Effect.gen(function*() {
      yield* Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(
            fc.constantFrom("stage,gen_id", "\uFEFFstage,gen_id", "gen_id,note,stage", " stage , gen_id ,note"),
            fc.array(line, { maxLength: 40 }),
            fc.boolean(),
            async (header, lines, lastEnding) => {
              const cells = header.replace("\uFEFF", "").split(",").map((c) => c.trim())
              const text = `${header}\n${
                lines.map((l, k) => {
                  const row = cells.map((c) => (c === "stage" ? l.stage[1] : c === "gen_id" ? l.id[1] : l.extra))
                  return row.join(",") + (k < lines.length - 1 || lastEnding ? l.ending : "")
                }).join("")
              }`
              const read = await Effect.runPromise(Effect.either(foldersOf(text)))
              if (read._tag === "Left") throw new Error(read.left.message)
              for (const { folder, row } of read.right) if (folder !== undefined) expect(folder).toBe(row)
              // A line written plainly (no padding, an ASCII id) is probed from its bytes.
              const plain = lines.filter((l) =>
                l.stage[1] === l.stage[0] && l.id[1] === l.id[0] && /^[!-~]+$/.test(l.id[0])
              )
              if (plain.length === lines.length && lines.length > 0) {
                expect(read.right.every((r) => r.folder === r.row)).toBe(true)
              }
            }
          ),
          { numRuns: 300 }
        )
      )
    }))

  it.effect("the rows of a spec read in place map to their lines one to one", () =>
    Effect.gen(function*() {
      const expected = {
        stage: ["draft", "essay", "evaluation"] as Array<"draft" | "essay" | "evaluation">,
        genId: ["d_1", "e_1", "v_1"]
      }
      const rows = yield* foldersOf("stage,gen_id\r\ndraft,d_1\r\n\r\nessay,e_1\nevaluation,v_1", expected)
      expect(rows).toEqual([
        { row: "draft/d_1", folder: "draft/d_1" },
        { row: "essay/e_1", folder: "essay/e_1" },
        { row: "evaluation/v_1", folder: "evaluation/v_1" }
      ])
    }))
})

// The worker threads run compiled code: status is loaded from dist/ (built before the tests).
const dist = Effect.promise(() =>
  import(pathToFileURL(path.join(repoRoot, "dist", "index.js")).href) as Promise<typeof Index>
)

/** A data root whose cohort `big` has a membership.csv of `n` evaluations (and no spec), each folder made. */
const bigRoot = (n: number, made: (i: number) => boolean = () => true) => {
  const root = tempRoot()
  const ids = Array.from({ length: n }, (_, i) => `v_${i.toString(36).padStart(4, "0")}`)
  ids.forEach((genId, i) => {
    if (!made(i)) return
    const dir = path.join(root, "gens", "evaluation", genId)
    fs.mkdirSync(dir, { recursive: true })
    if (i % 3 === 0) {
      fs.writeFileSync(
        path.join(dir, "metadata.json"),
        JSON.stringify({ template_id: "t1", llm_model_id: `m${i % 2}` })
      )
    }
    if (i % 5 === 0) fs.writeFileSync(path.join(dir, "raw.txt"), "raw")
    if (i % 7 === 0) fs.writeFileSync(path.join(dir, "parsed.txt"), "parsed")
  })
  fs.mkdirSync(path.join(root, "cohorts", "big"), { recursive: true })
  // Blank lines, CRLF, duplicates (rows off their line) and padded cells (lines left to this thread).
  const lines = ids.map((genId, i) =>
    i % 11 === 0
      ? ` evaluation , ${genId}\r\n`
      : i % 13 === 0
      ? `evaluation,${genId}\n\nevaluation,${genId}\n`
      : `evaluation,${genId}\n`
  )
  const file = path.join(root, "cohorts", "big", "membership.csv")
  fs.writeFileSync(file, `stage,gen_id\n${lines.join("")}`)
  return { root, file, ids }
}

const statusOn = (root: string, threads: number, cohortId = "big") =>
  Effect.gen(function*() {
    const { cohortStatus, DataRootLayer, WorkerPool } = yield* dist
    return yield* Effect.gen(function*() {
      const status = yield* cohortStatus(cohortId, { dataRoot: root, listMissing: true })
      const tally = yield* (yield* WorkerPool).tally
      return { status, tally }
    }).pipe(
      Effect.provide(Layer.merge(DataRootLayer.layer(root).pipe(Layer.provide(NodeContext.layer)), NodeContext.layer)),
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["COHORT_THREADS", String(threads)]])))
    )
  })

describe("status of a large built cohort, its lines probed while its rows are read", () => {
  it.effect(
    "reports what status reports on one thread (its rows probed after they are read)",
    () =>
      Effect.gen(function*() {
        const { ids, root } = bigRoot(4_500)
        const two = yield* statusOn(root, 2)
        const one = yield* statusOn(root, 1)
        expect(two.status).toEqual(one.status)
        const s = two.status.stages.evaluation
        expect(s.members).toBe(ids.length)
        expect(s.withMetadata).toBe(Math.ceil(ids.length / 3))
        expect(s.withParsed).toBe(Math.ceil(ids.length / 7))
        expect(two.tally.map((t) => t.job)).toEqual(["probe-lines"])
        // Every data line claimed once: the rows, and the duplicates' second lines.
        const duplicates = Math.ceil(ids.length / 13) - Math.ceil(ids.length / 143)
        expect(two.tally[0]!.byMainThread + two.tally[0]!.byWorkers).toBe(ids.length + duplicates)
        expect(one.tally.map((t) => t.job)).toEqual(["probe"])
      }),
    60_000
  )

  it.effect(
    "a store whose folders are mostly absent is probed after its rows are read (the probe lists it)",
    () =>
      Effect.gen(function*() {
        const { root } = bigRoot(4_500, (i) => i % 4 === 0)
        const two = yield* statusOn(root, 2)
        const one = yield* statusOn(root, 1)
        expect(two.status).toEqual(one.status)
        expect(two.status.stages.evaluation.missing).toBeGreaterThan(4_000)
        expect(two.tally.map((t) => t.job)).toEqual(["probe"])
      }),
    60_000
  )

  it.effect(
    "a bad line fails the status with its line, the lines being probed meanwhile",
    () =>
      Effect.gen(function*() {
        const { file, root } = bigRoot(4_500)
        fs.appendFileSync(file, "draft,../../etc\n")
        const lines = fs.readFileSync(file, "utf8").split("\n").length - 1
        const error = yield* Effect.flip(statusOn(root, 2))
        expect(error).toMatchObject({ _tag: "MembershipInvalid", path: file, line: lines })
      }),
    60_000
  )

  it.effect(
    "of a cohort built from its spec (rows read in place, each on its line): what one thread reports",
    () =>
      Effect.gen(function*() {
        const root = fresh()
        // The pilot judged 50 times over: 4,840 rows.
        const config = path.join(root, "cohorts", "daydream-pilot", "spec", "config.yaml")
        const replicates = Array.from({ length: 50 }, (_, r) => `'${r + 1}'`).join(", ")
        fs.writeFileSync(
          config,
          fs.readFileSync(config, "utf8").replace(
            "evaluation_replicate: ['1', '2']",
            `evaluation_replicate: [${replicates}]`
          )
        )
        yield* buildOn(root, "daydream-pilot")
        const members = membershipOf(root, "daydream-pilot")
        expect(members).toHaveLength(16 + 24 + 4_800)
        members.forEach((m, i) => {
          if (i % 9 === 0) writeGenerationFiles(root, m.stage, m.genId, ["raw.txt"])
          if (i % 17 === 0) writeGenerationFiles(root, m.stage, m.genId, ["parsed.txt"])
        })
        const two = yield* statusOn(root, 2, "daydream-pilot")
        const one = yield* statusOn(root, 1, "daydream-pilot")
        expect(two.status).toEqual(one.status)
        expect(two.status.source).toBe("membership")
        const count = (every: number, stage: string) =>
          members.filter((m, i) => i % every === 0 && m.stage === stage).length
        expect(two.status.stages.evaluation.withParsed).toBe(count(17, "evaluation"))
        expect(two.status.stages.essay.withRaw).toBe(count(9, "essay"))
        expect(two.tally.map((t) => t.job)).toEqual(["probe-lines"])
      }),
    120_000
  )
})
