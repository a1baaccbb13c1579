import { NodeContext } from "@effect/platform-node"
import { afterEach, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import { makeProgressReporter, phaseLine, PROGRESS_MIN_ITEMS, progressLine } from "../../src/cli/Progress.js"
import { buildCohortMembership, dataRootLive } from "../../src/index.js"
import { BuildProgress } from "../../src/services/BuildProgress.js"
import { cliMain } from "../support/Cli.js"
import { useExampleDataRoots } from "../support/DataRoots.js"

const { fresh } = useExampleDataRoots(afterEach)

/** The built CLI with extra environment, stderr a pipe (not a terminal). */
const runWithEnv = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [cliMain, ...args], { env: { ...process.env, ...env }, timeout: 60_000 })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => (stdout += d))
    child.stderr.on("data", (d) => (stderr += d))
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })

/** A reporter over a clock the test moves, collecting what it writes. */
const fakeReporter = (terminal: boolean, always = false) => {
  let t = 0
  const out: Array<string> = []
  const reporter = makeProgressReporter({ write: (s) => out.push(s), terminal, always, now: () => t })
  return { reporter, out, advance: (ms: number) => (t += ms) }
}

describe("build progress", () => {
  it("the terminal line is a function of phase, done, total and elapsed time", () => {
    expect(progressLine({ phase: "writing metadata", done: 12345, total: 624000, elapsedMs: 1500 }))
      .toBe("writing metadata: 12,345/624,000 (1%), 8,230/s")
    expect(progressLine({ phase: "writing metadata", done: 624000, total: 624000, elapsedMs: 0 }))
      .toBe("writing metadata: 624,000/624,000 (100%), -")
    // A total that may still grow: no percentage (it would fall back as the total grows).
    expect(
      progressLine({ phase: "existing evaluation metadata", done: 12345, total: 40000, more: true, elapsedMs: 1500 })
    )
      .toBe("existing evaluation metadata: 12,345/40,000+, 8,230/s")
    expect(phaseLine({ phase: "membership ids", done: 1234567, total: 1234567, elapsedMs: 2000 }))
      .toBe("membership ids: 1,234,567 in 2.0 s (617,284/s)")
  })

  it("on a terminal the line is rewritten in place at most every 100 ms, and ends with a newline per phase", () => {
    const { advance, out, reporter } = fakeReporter(true)
    for (let done = 0; done <= 30_000; done += 1_000) {
      reporter.update("writing metadata", done, 30_000)
      advance(10)
    }
    reporter.update("next", 5, 5)
    reporter.end()
    // A total that may still grow reaches the terminal line as such.
    const growing = fakeReporter(true, true)
    growing.reporter.update("existing evaluation metadata", 10, 40, true)
    expect(growing.out).toEqual(["\rexisting evaluation metadata: 10/40+, -\x1b[K"])
    const redraws = out.filter((s) => s.startsWith("\rwriting") && !s.endsWith("\n"))
    // 31 updates over 310 ms: the first draws, then one per 100 ms (at 100, 200 and 300 ms).
    expect(redraws.length).toBe(4)
    expect(out.every((s) => s.startsWith("\r") && s.includes("\x1b[K"))).toBe(true)
    expect(out.filter((s) => s.endsWith("\n")).map((s) => s.slice(1, s.indexOf("\x1b[K")))).toEqual([
      "writing metadata: 30,000/30,000 (100%), 100,000/s",
      "next: 5/5 (100%), 500/s"
    ])
  })

  it("otherwise one line per phase; short builds show nothing unless forced; empty or unfinished phases leave no line", () => {
    const small = fakeReporter(false)
    small.reporter.update("membership ids", 232, 232)
    small.reporter.end()
    expect(small.out).toEqual([])
    const { advance, out, reporter } = fakeReporter(false)
    reporter.update("membership ids", 100, 100)
    advance(500)
    for (let done = 0; done <= PROGRESS_MIN_ITEMS; done += 5_000) {
      reporter.update("writing metadata", done, PROGRESS_MIN_ITEMS)
      advance(250)
    }
    reporter.update("nothing", 0, 0)
    reporter.end()
    // A phase's time runs from the last report of the phase before it to its own last report.
    expect(out).toEqual(["writing metadata: 20,000 in 1.5 s (13,333/s)\n"])
    // A build that fails (or is interrupted) in a phase: that phase leaves no line.
    const failed = fakeReporter(false, true)
    failed.reporter.update("membership ids", 5, 5)
    failed.reporter.update("writing metadata", 2, 5)
    failed.reporter.end(false)
    expect(failed.out.map((l) => l.slice(0, l.indexOf(" in ")))).toEqual(["membership ids: 5"])
  })

  it.effect("a build reports its phases, each with its final count", () =>
    Effect.gen(function*() {
      const root = fresh()
      const events: Array<[string, number, number]> = []
      const build = buildCohortMembership("daydream-pilot").pipe(
        Effect.provideService(BuildProgress, { update: (phase, done, total) => events.push([phase, done, total]) }),
        Effect.provide(dataRootLive(root)),
        Effect.provide(NodeContext.layer)
      )
      yield* build
      const last = new Map(events.map(([phase, done, total]) => [phase, [done, total]]))
      expect([...last.keys()]).toEqual([
        "existing draft metadata",
        "existing essay metadata",
        "existing evaluation metadata",
        "membership ids",
        "writing metadata"
      ])
      expect(last.get("membership ids")).toEqual([232, 232])
      expect(last.get("writing metadata")).toEqual([232, 232])
      events.length = 0
      yield* build
      expect(new Map(events.map(([phase, done, total]) => [phase, [done, total]])).get("existing evaluation metadata"))
        .toEqual([192, 192])
    }))

  it("the CLI prints a line per phase on stderr when it is not a terminal; stdout stays the result", async () => {
    const root = fresh()
    const run = await runWithEnv(["build", "daydream-pilot", "--data-root", root, "--json"], { COHORT_PROGRESS: "1" })
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout).ok).toBe(true)
    const lines = run.stderr.trim().split("\n")
    expect(lines.map((l) => l.slice(0, l.indexOf(" in ")))).toEqual([
      "membership ids: 232",
      "writing metadata: 232"
    ])
    expect(lines.every((l) => /^[a-z ]+: [\d,]+ in \d+\.\d s \(([\d,]+\/s|-)\)$/.test(l))).toBe(true)
    const quiet = await runWithEnv(["build", "daydream-pilot", "--data-root", root], {})
    expect(quiet.code).toBe(0)
    expect(quiet.stderr).toBe("")
  })
})
