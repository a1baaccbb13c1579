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

const cleanups: Array<() => void> = []
afterEach(() => cleanups.splice(0).forEach((f) => f()))

describe("a fresh build", () => {
  // 5,000 generations to write: a worker thread writes part of them alongside the main thread.
  it("writes the same store and reports the same counts with a worker thread or without", () => {
    const a = syntheticDataRoot(4)
    const b = syntheticDataRoot(4)
    cleanups.push(a.cleanup, b.cleanup)
    const withWorker = cohort(["build", "synthetic", "--data-root", a.root])
    const alone = cohort(["build", "synthetic", "--data-root", b.root], { COHORT_THREADS: "1" })
    expect(withWorker.code).toBe(0)
    expect(alone.code).toBe(0)
    expect(withWorker.stdout.replaceAll(a.root, "ROOT")).toBe(alone.stdout.replaceAll(b.root, "ROOT"))
    expect(withWorker.stdout).toContain(`generations: ${a.rows} new, 0 already present`)
    const store = snapshot(a.root)
    expect(Array.from(store.keys()).filter((f) => f.endsWith("/metadata.json"))).toHaveLength(a.rows)
    expect(store).toEqual(snapshot(b.root))
  }, 120_000)
})

describe("a rerun over existing generations", () => {
  // 4,800 evaluations: enough for the rerun to verify their metadata on a worker thread too.
  it("verifies existing metadata the same with a worker thread or without, other signatures included", () => {
    const a = syntheticDataRoot(4)
    cleanups.push(a.cleanup)
    expect(cohort(["build", "synthetic", "--data-root", a.root]).code).toBe(0)
    const membership = path.join("cohorts", "synthetic", "membership.csv")
    const first = fs.readFileSync(path.join(a.root, membership), "utf8")

    // Three evaluations' folders now hold another signature's metadata (a collision, or a foreign store).
    const evaluations = first.split("\n").filter((l) => l.startsWith("evaluation,")).map((l) => l.split(",")[1]!)
    const taken = [evaluations[7]!, evaluations[2_000]!, evaluations[4_700]!]
    for (const id of taken) {
      const file = path.join(a.root, "gens", "evaluation", id, "metadata.json")
      const metadata = JSON.parse(fs.readFileSync(file, "utf8"))
      fs.writeFileSync(file, JSON.stringify({ ...metadata, template_id: "someone-else" }))
    }
    const b = syntheticDataRoot(4)
    cleanups.push(b.cleanup)
    fs.rmSync(b.root, { recursive: true })
    fs.cpSync(a.root, b.root, { recursive: true })

    expect(cohort(["build", "synthetic", "--data-root", a.root]).code).toBe(0)
    expect(cohort(["build", "synthetic", "--data-root", b.root], { COHORT_THREADS: "1" }).code).toBe(0)
    const withWorker = fs.readFileSync(path.join(a.root, membership), "utf8")
    expect(withWorker).toBe(fs.readFileSync(path.join(b.root, membership), "utf8"))
    // The taken ids moved to their next candidate; every other id stayed.
    const moved = withWorker.split("\n").filter((l) => l.startsWith("evaluation,")).map((l) => l.split(",")[1]!)
    const changed = moved.flatMap((id, i) => (id === evaluations[i] ? [] : [i]))
    expect(changed).toEqual([7, 2_000, 4_700])
    expect(changed.every((i) => moved[i]!.endsWith("-1"))).toBe(true)
  }, 120_000)
})
