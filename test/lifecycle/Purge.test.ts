import { afterEach, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { cohortStatus, purgeCohort } from "../../src/index.js"
import { snapshot, syntheticDataRoot, useExampleDataRoots } from "../support/DataRoots.js"
import { repoRoot } from "../support/Fixtures.js"
import { addPilotB, buildOn, membershipOf, onRoot, writeGenerationFiles } from "./LifecycleRoots.js"

const { fresh } = useExampleDataRoots(afterEach)
const cli = path.join(repoRoot, "dist", "main.js")
const purge = (root: string, cohortId: string, options: { execute?: boolean; cohortFolder?: boolean } = {}) =>
  onRoot(root, purgeCohort(cohortId, { dataRoot: root, ...options }))

const genFolders = (root: string, stage: string) => {
  try {
    return fs.readdirSync(path.join(root, "gens", stage)).filter((n) => !n.startsWith("."))
  } catch {
    return []
  }
}

/** Every generation folder is whole (has metadata.json) and its parent exists; no trash is left. */
const consistencyProblems = (root: string): Array<string> => {
  const problems: Array<string> = []
  const parentStage: Record<string, string> = { essay: "draft", evaluation: "essay" }
  for (const stage of ["draft", "essay", "evaluation"]) {
    for (const id of genFolders(root, stage)) {
      const file = path.join(root, "gens", stage, id, "metadata.json")
      if (!fs.existsSync(file)) {
        problems.push(`${stage}/${id} has no metadata.json`)
        continue
      }
      const parent = JSON.parse(fs.readFileSync(file, "utf8")).parent_gen_id as string | undefined
      if (parent !== undefined && !fs.existsSync(path.join(root, "gens", parentStage[stage]!, parent))) {
        problems.push(`${stage}/${id} has lost its parent ${parent}`)
      }
    }
  }
  return problems
}

describe("cohort purge", () => {
  it.effect("a dry run lists what would go and why, and changes nothing", () =>
    Effect.gen(function*() {
      const root = fresh()
      yield* buildOn(root, "daydream-pilot")
      writeGenerationFiles(root, "draft", membershipOf(root, "daydream-pilot")[0]!.genId, ["raw.txt", "parsed.txt"])
      const before = snapshot(root)
      const report = yield* purge(root, "daydream-pilot")
      expect(report.executed).toBe(false)
      expect(report.deleted).toEqual({ draft: 16, essay: 24, evaluation: 192 })
      expect(report.entries.map((e) => e.stage).slice(0, 1)).toEqual(["evaluation"])
      expect(report.entries.at(-1)?.stage).toBe("draft")
      expect(report.bytesFreed).toBeGreaterThan(0)
      expect(snapshot(root)).toEqual(before)
    }))

  it.effect("--execute keeps what another cohort's membership lists, deletes the rest, children first", () =>
    Effect.gen(function*() {
      const root = fresh()
      addPilotB(root)
      yield* buildOn(root, "daydream-pilot")
      yield* buildOn(root, "pilot-b")
      const bBefore = yield* onRoot(root, cohortStatus("pilot-b", { dataRoot: root }))
      const report = yield* purge(root, "daydream-pilot", { execute: true })
      expect(report.deleted).toEqual({ draft: 0, essay: 0, evaluation: 144 })
      expect(report.kept).toEqual({ draft: 16, essay: 24, evaluation: 48 })
      expect(report.entries.find((e) => e.action === "keep")?.reason).toBe(`listed in the membership.csv of "pilot-b"`)
      expect(genFolders(root, "evaluation")).toHaveLength(48)
      // pilot-b's store is untouched.
      const bAfter = yield* onRoot(root, cohortStatus("pilot-b", { dataRoot: root }))
      expect(bAfter.stages).toEqual(bBefore.stages)
      expect(bAfter.stages.evaluation.withMetadata).toBe(48)
      expect(consistencyProblems(root)).toEqual([])
      // A second purge finds only what it keeps.
      const again = yield* purge(root, "daydream-pilot", { execute: true })
      expect(again.deleted).toEqual({ draft: 0, essay: 0, evaluation: 0 })
    }))

  it.effect("a generation whose child stays is kept, and so is its parent", () =>
    Effect.gen(function*() {
      const root = fresh()
      yield* buildOn(root, "daydream-pilot")
      const essay = membershipOf(root, "daydream-pilot").find((m) => m.stage === "essay")!.genId
      const essayMeta = JSON.parse(fs.readFileSync(path.join(root, "gens", "essay", essay, "metadata.json"), "utf8"))
      const foreign = path.join(root, "gens", "evaluation", "v_foreign1")
      fs.mkdirSync(foreign)
      fs.writeFileSync(
        path.join(foreign, "metadata.json"),
        JSON.stringify({
          stage: "evaluation",
          gen_id: "v_foreign1",
          origin_cohort_id: "elsewhere",
          parent_gen_id: essay
        })
      )
      const report = yield* purge(root, "daydream-pilot", { execute: true })
      expect(report.entries.find((e) => e.genId === essay)).toMatchObject({
        action: "keep",
        reason: "its child evaluation v_foreign1 stays"
      })
      expect(report.entries.find((e) => e.genId === essayMeta.parent_gen_id)).toMatchObject({
        action: "keep",
        reason: `its child essay ${essay} stays`
      })
      expect(report.deleted).toEqual({ draft: 15, essay: 23, evaluation: 192 })
      expect(consistencyProblems(root)).toEqual([])
    }))

  it.effect("--cohort-folder removes cohorts/<id>/ too", () =>
    Effect.gen(function*() {
      const root = fresh()
      yield* buildOn(root, "daydream-pilot")
      const report = yield* purge(root, "daydream-pilot", { execute: true, cohortFolder: true })
      expect(report.cohortFolderRemoved).toBe(true)
      expect(fs.existsSync(path.join(root, "cohorts", "daydream-pilot"))).toBe(false)
      expect(fs.readdirSync(path.join(root, "cohorts"))).toEqual([])
      expect(genFolders(root, "draft")).toEqual([])
    }))

  it.effect("refuses while a live build holds a cohort's lock, and refuses ids outside cohorts/", () =>
    Effect.gen(function*() {
      const root = fresh()
      addPilotB(root)
      yield* buildOn(root, "daydream-pilot")
      const sleeper = spawn("sleep", ["30"])
      try {
        const lock = path.join(root, "cohorts", "pilot-b", ".lock")
        fs.writeFileSync(lock, JSON.stringify({ pid: sleeper.pid, host: os.hostname() }))
        const before = snapshot(root)
        const error = yield* Effect.flip(purge(root, "daydream-pilot", { execute: true }))
        expect(error).toMatchObject({ _tag: "Locked", path: lock, pid: sleeper.pid })
        expect(snapshot(root)).toEqual(before)
        // A lock whose heartbeat stopped long ago is no one's, whatever host it names: no refusal.
        fs.writeFileSync(lock, JSON.stringify({ pid: 1, host: "another-container" }))
        const old = new Date(Date.now() - 10 * 60_000)
        fs.utimesSync(lock, old, old)
        const report = yield* purge(root, "daydream-pilot", { execute: true })
        expect(report.executed).toBe(true)
      } finally {
        sleeper.kill("SIGKILL")
      }
      const bad = yield* Effect.flip(purge(root, "../cohorts"))
      expect(bad._tag).toBe("InvalidConstraint")
    }))

  it.effect("a build removes the trash an interrupted purge left in gens/ and cohorts/, and nothing else", () =>
    Effect.gen(function*() {
      const root = fresh()
      yield* buildOn(root, "daydream-pilot")
      const before = snapshot(root)
      // As a purge killed between moving folders into its trash and removing them leaves it.
      const gensTrash = path.join(root, "gens", ".purge-4194000", "evaluation.v_gone1")
      fs.mkdirSync(gensTrash, { recursive: true })
      fs.writeFileSync(path.join(gensTrash, "metadata.json"), "{}")
      fs.mkdirSync(path.join(root, "gens", ".purge-4194001"))
      const cohortTrash = path.join(root, "cohorts", ".purge-4194000", "old-cohort", "spec")
      fs.mkdirSync(cohortTrash, { recursive: true })
      fs.writeFileSync(path.join(cohortTrash, "config.yaml"), "axes: {}\n")
      yield* buildOn(root, "daydream-pilot")
      expect(fs.readdirSync(path.join(root, "gens")).sort()).toEqual(["draft", "essay", "evaluation"])
      expect(fs.readdirSync(path.join(root, "cohorts")).filter((n) => n.startsWith("."))).toEqual([])
      expect(snapshot(root)).toEqual(before)
    }))

  it.effect("refuses when another cohort's membership.csv cannot be read (what it uses is unknown)", () =>
    Effect.gen(function*() {
      const root = fresh()
      addPilotB(root)
      yield* buildOn(root, "daydream-pilot")
      const file = path.join(root, "cohorts", "pilot-b", "membership.csv")
      fs.writeFileSync(file, "stage,gen_id\nsummary,x\n")
      const before = snapshot(root)
      const error = yield* Effect.flip(purge(root, "daydream-pilot", { execute: true }))
      expect(error).toMatchObject({ _tag: "MembershipInvalid", path: file, line: 2 })
      expect(snapshot(root)).toEqual(before)
    }))

  it("a purge killed (SIGKILL) midway leaves every folder whole with its parent; the rerun finishes", async () => {
    const synth = syntheticDataRoot(2)
    try {
      const root = synth.root
      const built = spawnSync("node", [cli, "build", "synthetic", "--data-root", root], { encoding: "utf8" })
      expect(built.status).toBe(0)
      const total = genFolders(root, "evaluation").length
      expect(total).toBe(2 * 8 * 5 * 30)
      const child = spawn("node", [cli, "purge", "synthetic", "--data-root", root, "--execute"], { stdio: "ignore" })
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_, signal) => resolve(signal)))
      // Kill it once it has started deleting (the evaluation folder count falls).
      for (;;) {
        await new Promise((r) => setTimeout(r, 5))
        if (genFolders(root, "evaluation").length < total) break
      }
      child.kill("SIGKILL")
      expect(await exited).toBe("SIGKILL")
      const left = genFolders(root, "evaluation").length
      expect(left).toBeGreaterThan(0)
      expect(left).toBeLessThan(total)
      expect(consistencyProblems(root)).toEqual([])
      // What it was deleting sits in its trash folder in gens/, where a build or the next purge finds it.
      expect(fs.readdirSync(path.join(root, "gens"))).toContain(`.purge-${child.pid}`)
      const rerun = spawnSync("node", [cli, "purge", "synthetic", "--data-root", root, "--execute", "--json"], {
        encoding: "utf8",
        maxBuffer: 1 << 28
      })
      expect(rerun.status).toBe(0)
      const report = JSON.parse(rerun.stdout).result
      expect(report.deleted.evaluation).toBe(left)
      expect(report.deleted.draft).toBe(16)
      for (const stage of ["draft", "essay", "evaluation"]) {
        expect(fs.readdirSync(path.join(root, "gens", stage))).toEqual([])
      }
      expect(fs.existsSync(path.join(root, "cohorts", "synthetic", ".lock"))).toBe(false)
    } finally {
      await synth.cleanup()
    }
  }, 60_000)
})
