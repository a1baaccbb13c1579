import { afterEach, describe, expect, it } from "@effect/vitest"
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { copyExampleDataRoot, syntheticDataRoot } from "../support/DataRoots.js"
import { repoRoot } from "../support/Fixtures.js"

const main = path.join(repoRoot, "dist", "main.js")

// A timeout: before the fix a FIFO blocked the open for good.
// Asynchronous, so that the test runner's worker stays responsive meanwhile.
const cohort = (args: Array<string>, env: Record<string, string> = {}) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [main, ...args], { env: { ...process.env, ...env }, timeout: 60_000 })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => (stdout += d))
    child.stderr.on("data", (d) => (stderr += d))
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })

let cleanups: Array<() => void | Promise<void>> = []
afterEach(async () => {
  const done = cleanups
  cleanups = []
  await Promise.all(done.map((c) => c()))
})
const track = <A extends { cleanup: () => void | Promise<void> }>(made: A): A => {
  cleanups.push(made.cleanup)
  return made
}

const membershipRows = (root: string, cohortId: string) =>
  fs.readFileSync(path.join(root, "cohorts", cohortId, "membership.csv"), "utf8").trim().split("\n").slice(1)
    .map((line) => line.split(","))

/** The warnings a strict dry run fails with (`validate --json`). */
const validationWarnings = async (root: string, cohortId: string, env: Record<string, string> = {}) => {
  const run = await cohort(["validate", cohortId, "--data-root", root, "--json"], env)
  expect(run.code).toBe(1)
  const error = JSON.parse(run.stdout).error
  expect(error._tag).toBe("InvalidConstraint")
  return error.details as Array<string>
}

const mkfifo = (file: string) => expect(spawnSync("mkfifo", [file]).status).toBe(0)

/** Ways a generation's metadata.json can be there without being a readable metadata file. */
const corruptions: ReadonlyArray<{ what: string; reason: RegExp; make: (file: string, scratch: string) => void }> = [
  { what: "a folder", reason: /not a regular file \(a folder\)/, make: (file) => fs.mkdirSync(file) },
  {
    what: "a dangling symlink",
    reason: /a dangling symlink/,
    make: (file, scratch) => fs.symlinkSync(path.join(scratch, "nothing"), file)
  },
  { what: "a FIFO", reason: /not a regular file \(a FIFO\)/, make: (file) => mkfifo(file) },
  {
    what: "a symlink to a FIFO",
    reason: /not a regular file \(a FIFO\)/,
    make: (file, scratch) => {
      mkfifo(path.join(scratch, "fifo"))
      fs.symlinkSync(path.join(scratch, "fifo"), file)
    }
  },
  {
    what: "a symlink to an oversized file",
    reason: /larger than 1048576 bytes/,
    make: (file, scratch) => {
      // Sparse: 64 MiB of zeros that take no disk.
      fs.writeFileSync(path.join(scratch, "huge"), "")
      fs.truncateSync(path.join(scratch, "huge"), 64 * 1024 * 1024)
      fs.symlinkSync(path.join(scratch, "huge"), file)
    }
  },
  { what: "an empty file", reason: /\(empty\)/, make: (file) => fs.writeFileSync(file, "") },
  { what: "a file with a BOM", reason: /BOM/, make: (file) => fs.writeFileSync(file, "\ufeff{}") },
  { what: "truncated JSON", reason: /not JSON/, make: (file) => fs.writeFileSync(file, "{\"stage\": \"dr") }
]

describe("the store never reports itself whole when it is not", () => {
  it.for(corruptions)("metadata.json that is $what: validate fails naming it; build gives the generation the -1 id", {
    timeout: 60_000
  }, async (c) => {
    const { root } = track(copyExampleDataRoot())
    const scratch = path.join(path.dirname(root), "scratch")
    fs.mkdirSync(scratch)
    expect(
      (await cohort(["build", "daydream-pilot", "--data-root", root]))
        .code
    ).toBe(0)
    const draft = membershipRows(root, "daydream-pilot").find(([stage]) => stage === "draft")![1]!
    const file = path.join(root, "gens", "draft", draft, "metadata.json")
    fs.rmSync(file)
    c.make(file, scratch)

    const warnings = await validationWarnings(root, "daydream-pilot")
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(file)
    expect(warnings[0]).toMatch(c.reason)

    const run = await cohort(["build", "daydream-pilot", "--data-root", root])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(file)
    const rows = membershipRows(root, "daydream-pilot")
    // The generation moved to its next candidate id (an "-1" id of another hash), like the original.
    expect(rows.filter(([stage]) => stage === "draft").map((r) => r[1])).not.toContain(draft)
    expect(rows.some(([stage, id]) => stage === "draft" && id!.endsWith("-1"))).toBe(true)
    // Every generation the membership names has whole metadata, in a regular file.
    for (const [stage, id] of rows) {
      const metadata = path.join(root, "gens", stage!, id!, "metadata.json")
      expect(fs.lstatSync(metadata).isFile()).toBe(true)
      expect(JSON.parse(fs.readFileSync(metadata, "utf8")).gen_id).toBe(id)
    }
  })

  it("the rule holds on every path: one thread or two, listing or direct reads", async () => {
    const { root } = track(syntheticDataRoot(5))
    expect(
      (await cohort(["build", "synthetic", "--data-root", root]))
        .code
    ).toBe(0)
    // Every 40th evaluation (150 of 6,000; a worker thread helps from 4,000): enough for both threads to meet some.
    const evaluations = membershipRows(root, "synthetic").filter(([stage]) => stage === "evaluation").map((r) => r[1]!)
    const broken = evaluations.filter((_, i) => i % 40 === 0)
    broken.forEach((id, i) => {
      const file = path.join(root, "gens", "evaluation", id, "metadata.json")
      fs.rmSync(file)
      if (i % 3 === 0) fs.mkdirSync(file)
      else if (i % 3 === 1) mkfifo(file)
      else fs.writeFileSync(file, "")
    })
    const expected = broken.map((id) => path.join(root, "gens", "evaluation", id, "metadata.json")).sort()
    const files = (warnings: Array<string>) =>
      warnings.map((w) => /gens metadata (\S+) is unreadable/.exec(w)![1]).sort()
    // A rerun reads metadata directly; with most of a stage's folders gone it lists the folder instead.
    expect(files(await validationWarnings(root, "synthetic", { COHORT_THREADS: "1" }))).toEqual(expected)
    expect(files(await validationWarnings(root, "synthetic"))).toEqual(expected)
    // Half the other evaluations gone: a sample of ids mostly without metadata, so the folder is listed.
    evaluations.forEach((id, i) => {
      if (i % 40 !== 0 && i % 2 === 1) fs.rmSync(path.join(root, "gens", "evaluation", id), { recursive: true })
    })
    const viaListing = await validationWarnings(root, "synthetic")
    expect(files(viaListing)).toEqual(expected)
  }, 120_000)
})

describe("catalogs are regular files, read with a bound", () => {
  it.for([
    { what: "a FIFO", make: (file: string) => mkfifo(file), reason: "not a regular file" },
    {
      what: "a symlink to an oversized file",
      make: (file: string) => {
        fs.writeFileSync(`${file}.huge`, "")
        fs.truncateSync(`${file}.huge`, 300 * 1024 * 1024)
        fs.symlinkSync(`${file}.huge`, file)
      },
      reason: "larger than 256 MiB"
    }
  ])("a catalog that is $what is CatalogInvalid naming it", { timeout: 60_000 }, async ({ make, reason }) => {
    const { root } = track(copyExampleDataRoot())
    const file = path.join(root, "1_raw", "llm_models.csv")
    fs.rmSync(file)
    make(file)
    const run = await cohort(["validate", "daydream-pilot", "--data-root", root])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(`CatalogInvalid: catalog llm_models (${file}): ${reason}`)
  })
})
