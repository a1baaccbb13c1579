import { NodeContext } from "@effect/platform-node"
import { afterEach, describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit } from "effect"
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { HEARTBEAT, lockCohort, STALE_AFTER } from "../../src/gens/CohortLock.js"
import { buildCohortMembership, dataRootLive } from "../../src/index.js"
import { BuildProgress } from "../../src/services/BuildProgress.js"
import { copyExampleDataRoot } from "../support/DataRoots.js"
import { repoRoot } from "../support/Fixtures.js"

const main = path.join(repoRoot, "dist", "main.js")

const cohort = (args: Array<string>) =>
  new Promise<{ code: number | null; stdout: string; stderr: string; ms: number }>((resolve) => {
    const began = Date.now()
    const child = spawn(process.execPath, [main, ...args], { timeout: 60_000 })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => (stdout += d))
    child.stderr.on("data", (d) => (stderr += d))
    child.on("close", (code) => resolve({ code, stdout, stderr, ms: Date.now() - began }))
  })

let cleanups: Array<() => void> = []
afterEach(() => {
  cleanups.forEach((c) => c())
  cleanups = []
})
const example = () => {
  const made = copyExampleDataRoot()
  cleanups.push(made.cleanup)
  const cohortDir = path.join(made.root, "cohorts", "daydream-pilot")
  return { root: made.root, cohortDir, lock: path.join(cohortDir, ".lock") }
}

/** Backdates a file by an hour: a lock nobody has touched since (its holder's heartbeat stopped). */
const age = (file: string) => {
  const old = new Date(Date.now() - 3_600_000)
  fs.utimesSync(file, old, old)
}

describe("a dead holder's lock is taken over whatever its pid, host or content", () => {
  it.for([
    {
      what: "a lock naming pid 1 (a container's entrypoint)",
      content: JSON.stringify({ pid: 1, host: os.hostname() })
    },
    { what: "a lock from another host", content: JSON.stringify({ pid: process.pid, host: "container-3f9a1c" }) },
    { what: "an empty lock", content: "" },
    { what: "a lock that is not JSON", content: "\u0000garbage{" }
  ])("$what, untouched for an hour, is taken over at once", { timeout: 60_000 }, async ({ content }) => {
    const { cohortDir, lock, root } = example()
    fs.writeFileSync(lock, content)
    age(lock)
    // What the dead holder was writing: temp files named for its pid (alive or not, here).
    fs.writeFileSync(path.join(cohortDir, ".manifest.json.1.0badcafe.tmp"), "{")
    fs.writeFileSync(path.join(cohortDir, ".membership.csv.1.deadbeef.tmp"), "stage,gen_id\n")
    for (const temp of [".manifest.json.1.0badcafe.tmp", ".membership.csv.1.deadbeef.tmp"]) {
      age(path.join(cohortDir, temp))
    }
    const run = await cohort(["build", "daydream-pilot", "--data-root", root, "--wait", "5"])
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" })
    expect(fs.existsSync(lock)).toBe(false)
    expect(fs.readdirSync(cohortDir).filter((name) => name.startsWith("."))).toEqual([])
  })
})

describe("a pid is judged only in the namespace it was written in", () => {
  const deadPid = () =>
    Number(
      spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout
    )
  const ours = fs.existsSync("/proc/self/ns/pid") ? fs.readlinkSync("/proc/self/ns/pid") : undefined

  it.skipIf(ours === undefined)(
    "a fresh lock of this host from another pid namespace is held, though its pid is not seen here",
    { timeout: 60_000 },
    async () => {
      const { lock, root } = example()
      fs.writeFileSync(lock, JSON.stringify({ pid: deadPid(), host: os.hostname(), pidns: "pid:[1]" }))
      const run = await cohort(["build", "daydream-pilot", "--data-root", root, "--wait", "1"])
      expect(run.code).toBe(1)
      expect(run.stderr).toMatch(/^Locked: /m)
    }
  )

  it.skipIf(ours === undefined)("a fresh lock of a dead process of this host and namespace is taken over at once", {
    timeout: 60_000
  }, async () => {
    const { lock, root } = example()
    fs.writeFileSync(lock, JSON.stringify({ pid: deadPid(), host: os.hostname(), pidns: ours }))
    const run = await cohort(["build", "daydream-pilot", "--data-root", root, "--wait", "0"])
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" })
  })
})

describe("the sweep after taking a lock", () => {
  it(
    "keeps a live process's fresh temp file (a plan --out into the cohort folder takes no lock)",
    { timeout: 60_000 },
    async () => {
      const { cohortDir, root } = example()
      const live = path.join(cohortDir, `.plan.csv.${process.pid}.0badcafe.tmp`)
      fs.writeFileSync(live, "stage,gen_id\n")
      const run = await cohort(["build", "daydream-pilot", "--data-root", root])
      expect(run.code).toBe(0)
      expect(fs.existsSync(live)).toBe(true)
    }
  )
})

describe("a live holder's lock", () => {
  it("is waited for, announced at once on stderr, then Locked after --wait seconds; nothing is written", {
    timeout: 60_000
  }, async () => {
    const { cohortDir, lock, root } = example()
    const since = new Date().toISOString()
    // Fresh (its heartbeat is recent), named for a live process of this host.
    fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, host: os.hostname(), since }))
    const before = fs.readdirSync(cohortDir).sort()
    const run = await cohort(["build", "daydream-pilot", "--data-root", root, "--wait", "1"])
    expect(run.code).toBe(1)
    const lines = run.stderr.trim().split("\n")
    expect(lines).toHaveLength(2)
    expect(lines[0]).toContain(
      `waiting for the lock of ${cohortDir}: held by pid ${process.pid} on ${os.hostname()} since ${since}`
    )
    expect(lines[1]).toMatch(
      new RegExp(`^Locked: cohort lock ${lock.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is held by pid ${process.pid}`)
    )
    expect(lines[1]).toContain("after waiting 1 s")
    expect(run.ms).toBeGreaterThanOrEqual(1000)
    expect(fs.readdirSync(cohortDir).sort()).toEqual(before)
    expect(fs.readFileSync(lock, "utf8")).toContain(since)
  })

  it("Ctrl-C while waiting for it stops the build at once: exit 130, the holder's lock untouched, nothing written", {
    timeout: 60_000
  }, async () => {
    const { cohortDir, lock, root } = example()
    const since = new Date().toISOString()
    fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, host: os.hostname(), since }))
    // The holder's heartbeat: the lock stays fresh (never stale) for as long as the test runs.
    const beat = setInterval(() => fs.utimesSync(lock, new Date(), new Date()), 1000)
    cleanups.push(() => clearInterval(beat))
    const before = fs.readdirSync(cohortDir).sort()
    // Waits far longer than the test's timeout: only the interruption can end it in time.
    const child = spawn(process.execPath, [main, "build", "daydream-pilot", "--data-root", root, "--wait", "3600"])
    cleanups.push(() => child.kill("SIGKILL"))
    let stderr = ""
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)))
    await new Promise<void>((resolve) =>
      child.stderr.on("data", (d) => {
        stderr += d
        if (stderr.includes("waiting for the lock of")) resolve()
      })
    )
    child.kill("SIGINT")
    expect(await exited).toBe(130)
    expect(stderr.trim().split("\n").at(-1)).toBe("interrupted")
    expect(fs.readdirSync(cohortDir).sort()).toEqual(before)
    expect(fs.readFileSync(lock, "utf8")).toContain(since)
  })

  it("--json reports Locked with its fields", { timeout: 60_000 }, async () => {
    const { lock, root } = example()
    fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, host: "elsewhere" }))
    const run = await cohort(["build", "daydream-pilot", "--data-root", root, "--wait", "0", "--json"])
    expect(run.code).toBe(1)
    expect(JSON.parse(run.stdout).error).toMatchObject({
      _tag: "Locked",
      path: lock,
      pid: process.pid,
      host: "elsewhere",
      waited_seconds: 0
    })
  })

  it("--wait and --max-rows take whole numbers ≥ 0 (else a usage error)", { timeout: 60_000 }, async () => {
    const { root } = example()
    for (const args of [["--wait", "-1"], ["--max-rows", "-1"], ["--max-rows", "-3"]]) {
      const run = await cohort(["build", "daydream-pilot", "--data-root", root, ...args])
      expect({ args, code: run.code }).toEqual({ args, code: 2 })
      expect(fs.existsSync(path.join(root, "cohorts", "daydream-pilot", "membership.csv"))).toBe(false)
    }
  })
})

describe("the heartbeat", () => {
  it.live(
    "a live holder keeps its lock fresh while it holds it, and removes it on release",
    () =>
      Effect.gen(function*() {
        const { cohortDir, lock } = example()
        yield* Effect.scoped(Effect.gen(function*() {
          yield* lockCohort(cohortDir)
          age(lock)
          // Polled until the beat has touched it again (or a deadline of many beats passes).
          const deadline = Date.now() + 10 * Duration.toMillis(HEARTBEAT)
          while (Date.now() - fs.statSync(lock).mtimeMs >= Duration.toMillis(STALE_AFTER) && Date.now() < deadline) {
            yield* Effect.sleep(Duration.millis(100))
          }
          expect(Date.now() - fs.statSync(lock).mtimeMs).toBeLessThan(Duration.toMillis(STALE_AFTER))
          expect(JSON.parse(fs.readFileSync(lock, "utf8"))).toMatchObject({ pid: process.pid, host: os.hostname() })
        }))
        expect(fs.existsSync(lock)).toBe(false)
      }),
    30_000
  )
})

/** What another build does when it takes a lock over: the lock renamed away, its own linked in its place. */
const takeOver = (lock: string, holder: object) => {
  const away = `${lock}.taken`
  fs.renameSync(lock, away)
  fs.writeFileSync(`${lock}.new`, JSON.stringify(holder))
  fs.linkSync(`${lock}.new`, lock)
  fs.rmSync(`${lock}.new`)
  fs.rmSync(away)
}

describe("a build whose lock was taken over", () => {
  it.live("fails with Locked (takenOver) at its commit and commits nothing", () =>
    Effect.gen(function*() {
      const { cohortDir, lock, root } = example()
      const thief = { pid: 4242, host: "elsewhere", since: "2026-12-01T00:00:00.000Z" }
      let taken = false
      // While it writes the generations, another build (on another host: judged by the heartbeat) takes
      // the lock over, as it would once this build's heartbeat had stopped for STALE_AFTER.
      const exit = yield* buildCohortMembership("daydream-pilot").pipe(
        Effect.provideService(BuildProgress, {
          update: (phase) => {
            if (phase !== "writing metadata" || taken) return
            takeOver(lock, thief)
            taken = true
          }
        }),
        Effect.provide(dataRootLive(root)),
        Effect.provide(NodeContext.layer),
        Effect.exit
      )
      expect(taken).toBe(true)
      expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : exit).toMatchObject({
        _tag: "Locked",
        takenOver: true,
        path: lock,
        pid: 4242,
        host: "elsewhere"
      })
      if (Exit.isFailure(exit) && exit.cause._tag === "Fail") {
        expect(exit.cause.error.message).toContain("was taken over by pid 4242 on elsewhere")
      }
      expect(fs.existsSync(path.join(cohortDir, "membership.csv"))).toBe(false)
      expect(fs.existsSync(path.join(cohortDir, "manifest.json"))).toBe(false)
      // The lock is the other build's still: the loser neither removed it nor left a temp file.
      expect(JSON.parse(fs.readFileSync(lock, "utf8"))).toEqual(thief)
      expect(fs.readdirSync(cohortDir).filter((name) => name.startsWith(".") && name !== ".lock")).toEqual([])
    }), 60_000)

  it.live(
    "is told so by stillHeld, while a lock still its own (touched, however old) passes",
    () =>
      Effect.gen(function*() {
        const { cohortDir, lock } = example()
        yield* Effect.scoped(Effect.gen(function*() {
          const held = yield* lockCohort(cohortDir)
          age(lock)
          yield* held.stillHeld
          expect(Date.now() - fs.statSync(lock).mtimeMs).toBeLessThan(Duration.toMillis(HEARTBEAT))
          // Three builds: this one, one that took its lock over, and a third that took it from that one.
          takeOver(lock, { pid: 1, host: "second" })
          takeOver(lock, { pid: 2, host: "third" })
          const error = yield* Effect.flip(held.stillHeld)
          expect(error).toMatchObject({ _tag: "Locked", takenOver: true, pid: 2, host: "third" })
        }))
        // Released without removing the lock it no longer holds.
        expect(JSON.parse(fs.readFileSync(lock, "utf8"))).toEqual({ pid: 2, host: "third" })
      }),
    30_000
  )
})

describe("a holder of this host and pid namespace is judged by its process, not its heartbeat", () => {
  const linux = fs.existsSync("/proc/self/stat") && fs.existsSync("/proc/self/ns/pid")

  it.skipIf(!linux)(
    "a live holder whose main thread is blocked (no heartbeat for an hour) keeps its lock",
    { timeout: 60_000 },
    async () => {
      const { cohortDir, lock, root } = example()
      await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
        yield* lockCohort(cohortDir)
        age(lock)
        // spawnSync blocks this thread (and its heartbeat timer) while the other build runs.
        const run = spawnSync(process.execPath, [main, "build", "daydream-pilot", "--data-root", root, "--wait", "0"], {
          encoding: "utf8",
          timeout: 60_000
        })
        expect(run.status).toBe(1)
        expect(run.stderr).toMatch(new RegExp(`^Locked: cohort lock .* is held by pid ${process.pid} on `, "m"))
        expect(JSON.parse(fs.readFileSync(lock, "utf8"))).toMatchObject({ pid: process.pid })
        expect(fs.existsSync(path.join(cohortDir, "membership.csv"))).toBe(false)
      })))
    }
  )

  it.skipIf(!linux)("a lock naming a pid of this namespace that another process now has is taken over at once", {
    timeout: 60_000
  }, async () => {
    const { lock, root } = example()
    // This process's pid, namespace and boot, but a start time no process of that pid has.
    const boot = fs.readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim()
    fs.writeFileSync(
      lock,
      JSON.stringify({
        pid: process.pid,
        host: os.hostname(),
        pidns: fs.readlinkSync("/proc/self/ns/pid"),
        start: `${boot}/1`
      })
    )
    const run = await cohort(["build", "daydream-pilot", "--data-root", root, "--wait", "0"])
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" })
  })

  it.skipIf(!linux)(
    "a holder of another boot (another machine of this host name and namespace, or before a reboot) is judged by its heartbeat",
    { timeout: 60_000 },
    async () => {
      const { cohortDir, lock, root } = example()
      const holder = {
        pid: 1,
        host: os.hostname(),
        pidns: fs.readlinkSync("/proc/self/ns/pid"),
        start: "another-boot/12345"
      }
      fs.writeFileSync(lock, JSON.stringify(holder))
      const fresh = await cohort(["build", "daydream-pilot", "--data-root", root, "--wait", "0"])
      expect({ code: fresh.code, locked: /^Locked: /m.test(fresh.stderr) }).toEqual({ code: 1, locked: true })
      expect(fs.existsSync(path.join(cohortDir, "membership.csv"))).toBe(false)
      age(lock)
      const stale = await cohort(["build", "daydream-pilot", "--data-root", root, "--wait", "0"])
      expect({ code: stale.code, stderr: stale.stderr }).toEqual({ code: 0, stderr: "" })
    }
  )
})
