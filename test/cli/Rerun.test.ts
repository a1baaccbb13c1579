import { afterEach, describe, expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { snapshot, syntheticDataRoot } from "../support/DataRoots.js"
import { repoRoot } from "../support/Fixtures.js"

const cohort = (args: Array<string>, env: Record<string, string> = {}) => {
  const run = spawnSync(process.execPath, [path.join(repoRoot, "dist", "main.js"), ...args], {
    encoding: "utf8",
    env: { ...process.env, ...env }
  })
  return { code: run.status, stdout: run.stdout, stderr: run.stderr }
}

interface Work {
  readonly job: string
  readonly stage?: string
  readonly items: number
  readonly by_main_thread: number
  readonly by_workers: number
}

/** What each thread did of a build's `job` (`--json`'s `work`): every item was done by exactly one. */
const workOf = (stdout: string, job: string, stage?: string): Work => {
  const output = JSON.parse(stdout) as { readonly work: ReadonlyArray<Work> }
  const found = output.work.filter((w) => w.job === job && w.stage === stage)
  expect(found).toHaveLength(1)
  expect(found[0]!.by_main_thread + found[0]!.by_workers).toBe(found[0]!.items)
  return found[0]!
}

const cleanups: Array<() => void | Promise<void>> = []
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((f) => f()))
})

describe("a fresh build", () => {
  // 10,000 generations to write: a worker thread writes part of them alongside the main thread (`--json`
  // says how many).
  it("writes the same store and reports the same counts with a worker thread or without", () => {
    const a = syntheticDataRoot(8)
    const b = syntheticDataRoot(8)
    cleanups.push(a.cleanup, b.cleanup)
    const withWorker = cohort(["build", "synthetic", "--data-root", a.root, "--json"])
    const alone = cohort(["build", "synthetic", "--data-root", b.root, "--json"], { COHORT_THREADS: "1" })
    expect(withWorker.code).toBe(0)
    expect(alone.code).toBe(0)
    const written = workOf(withWorker.stdout, "write")
    expect(written.items).toBe(a.rows)
    expect(written.by_workers).toBeGreaterThan(0)
    expect(written.by_main_thread).toBeGreaterThan(0)
    expect(workOf(alone.stdout, "write")).toEqual({
      job: "write",
      items: a.rows,
      by_main_thread: a.rows,
      by_workers: 0
    })
    // The same result, whatever each thread did (but the time it ran).
    const result = (stdout: string, root: string) => {
      const { result } = JSON.parse(stdout.replaceAll(root, "ROOT"))
      delete result.metadata.run_timestamp
      return result
    }
    expect(result(withWorker.stdout, a.root)).toEqual(result(alone.stdout, b.root))
    expect(result(withWorker.stdout, a.root).generations).toEqual({ written: a.rows, existing: 0 })
    const store = snapshot(a.root)
    expect(Array.from(store.keys()).filter((f) => f.endsWith("/metadata.json"))).toHaveLength(a.rows)
    expect(store).toEqual(snapshot(b.root))
  }, 120_000)
})

describe("a rerun over existing generations", () => {
  // 28,800 evaluations: a worker thread verifies part of their metadata (`--json` says how many);
  // their folder is large enough (over 1 MB) to be read directly, without a listing.
  it("verifies existing metadata the same with a worker thread or without, other signatures included", () => {
    // Two stores built alike (building is faster than copying 30k folders).
    const a = syntheticDataRoot(24)
    const b = syntheticDataRoot(24)
    cleanups.push(a.cleanup, b.cleanup)
    expect(cohort(["build", "synthetic", "--data-root", a.root]).code).toBe(0)
    expect(cohort(["build", "synthetic", "--data-root", b.root]).code).toBe(0)
    const membership = path.join("cohorts", "synthetic", "membership.csv")
    const first = fs.readFileSync(path.join(a.root, membership), "utf8")

    // Three evaluations' folders now hold another signature's metadata (a collision, or a foreign store).
    const evaluations = first.split("\n").filter((l) => l.startsWith("evaluation,")).map((l) => l.split(",")[1]!)
    const taken = [evaluations[7]!, evaluations[12_000]!, evaluations[28_700]!]
    for (const root of [a.root, b.root]) {
      for (const id of taken) {
        const file = path.join(root, "gens", "evaluation", id, "metadata.json")
        const metadata = JSON.parse(fs.readFileSync(file, "utf8"))
        fs.writeFileSync(file, JSON.stringify({ ...metadata, template_id: "someone-else" }))
      }
    }

    const rerun = cohort(["build", "synthetic", "--data-root", a.root, "--json"])
    const alone = cohort(["build", "synthetic", "--data-root", b.root, "--json"], { COHORT_THREADS: "1" })
    expect([rerun.code, alone.code]).toEqual([0, 0])
    const read = workOf(rerun.stdout, "verify", "evaluation")
    expect(read.items).toBe(evaluations.length)
    expect(read.by_workers).toBeGreaterThan(0)
    expect((JSON.parse(rerun.stdout) as { store: { read_directly: Array<string> } }).store.read_directly)
      .toContain("evaluation")
    expect(workOf(alone.stdout, "verify", "evaluation").by_workers).toBe(0)
    const withWorker = fs.readFileSync(path.join(a.root, membership), "utf8")
    expect(withWorker).toBe(fs.readFileSync(path.join(b.root, membership), "utf8"))
    // The taken ids moved to their next candidate; every other id stayed.
    const moved = withWorker.split("\n").filter((l) => l.startsWith("evaluation,")).map((l) => l.split(",")[1]!)
    const changed = moved.flatMap((id, i) => (id === evaluations[i] ? [] : [i]))
    expect(changed).toEqual([7, 12_000, 28_700])
    expect(changed.every((i) => moved[i]!.endsWith("-1"))).toBe(true)
  }, 120_000)
})
