import { afterEach, describe, expect, it } from "@effect/vitest"
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import {
  artifactSnapshot,
  copyExampleDataRoot,
  leftovers,
  listFiles,
  snapshot,
  strayTemps,
  syntheticDataRoot
} from "../support/DataRoots.js"
import { repoRoot } from "../support/Fixtures.js"

const main = path.join(repoRoot, "dist", "main.js")

const cohort = (args: Array<string>, env: Record<string, string> = {}) => {
  const run = spawnSync(process.execPath, [main, ...args], { encoding: "utf8", env: { ...process.env, ...env } })
  return { code: run.status, stdout: run.stdout, stderr: run.stderr }
}

/** Starts the CLI without waiting; resolves with its exit code (or the signal that ended it). */
const start = (args: Array<string>) => {
  const child = spawn(process.execPath, [main, ...args], { stdio: ["ignore", "pipe", "pipe"] })
  let stderr = ""
  child.stderr.on("data", (d) => (stderr += d))
  child.stdout.resume()
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stderr }))
  )
  return { child, done }
}

let cleanups: Array<() => void | Promise<void>> = []
afterEach(async () => {
  const done = cleanups
  cleanups = []
  await Promise.all(done.map((c) => c()))
})
const synthetic = (combos: number) => {
  const made = syntheticDataRoot(combos)
  cleanups.push(made.cleanup)
  return made
}
const example = () => {
  const made = copyExampleDataRoot()
  cleanups.push(made.cleanup)
  return made.root
}

/** Every artifact present is whole: metadata parses and names its own id; membership/manifest complete. */
const assertArtifactsWhole = (root: string, cohortId: string, expectedMembership: string | undefined) => {
  for (const file of listFiles(root)) {
    const m = /^gens\/(draft|essay|evaluation)\/([^/]+)\/metadata\.json$/.exec(file)
    if (m !== null) {
      const meta = JSON.parse(fs.readFileSync(path.join(root, file), "utf8"))
      expect(meta).toMatchObject({ stage: m[1], gen_id: m[2] })
    }
  }
  const membership = path.join(root, "cohorts", cohortId, "membership.csv")
  if (fs.existsSync(membership) && expectedMembership !== undefined) {
    expect(fs.readFileSync(membership, "utf8")).toBe(expectedMembership)
  }
  const manifest = path.join(root, "cohorts", cohortId, "manifest.json")
  if (fs.existsSync(manifest)) expect(() => JSON.parse(fs.readFileSync(manifest, "utf8"))).not.toThrow()
}

describe("crash safety", () => {
  it("SIGKILL at random points never leaves a partial artifact, and the next build finishes the job", async () => {
    const { root, rows } = synthetic(12)
    // The reference: a complete build in another root.
    const reference = synthetic(12)
    expect(cohort(["build", "synthetic", "--data-root", reference.root]).code).toBe(0)
    const expected = snapshot(reference.root)
    const expectedMembership = expected.get("cohorts/synthetic/membership.csv")!
    expect(expectedMembership.split("\n").length - 2).toBe(rows)

    const t0 = Date.now()
    for (let i = 0; i < 6 && Date.now() - t0 < 30_000; i++) {
      const run = start(["build", "synthetic", "--data-root", root])
      await new Promise((r) => setTimeout(r, 150 + Math.random() * 900))
      run.child.kill("SIGKILL")
      await run.done
      assertArtifactsWhole(root, "synthetic", expectedMembership)
    }
    // On failure the exit code comes with the build's stderr.
    const last = cohort(["build", "synthetic", "--data-root", root])
    expect({ code: last.code, stderr: last.stderr }).toEqual({ code: 0, stderr: "" })
    expect(artifactSnapshot(root)).toEqual(expected)
    expect(strayTemps(root)).toEqual([])
  }, 120_000)

  it(
    "SIGINT stops a build cleanly: exit 130, 'interrupted', no temp files, no lock, every artifact whole",
    async () => {
      const { root } = synthetic(12)
      const run = start(["build", "synthetic", "--data-root", root])
      // Signalled once it writes generations (polled, so a slow start cannot make it finish first).
      const drafts = path.join(root, "gens", "draft")
      for (let i = 0; i < 1500 && !(fs.existsSync(drafts) && fs.readdirSync(drafts).length > 0); i++) {
        await new Promise((r) => setTimeout(r, 20))
      }
      run.child.kill("SIGINT")
      const { code, stderr } = await run.done
      expect(code).toBe(130)
      expect(stderr.trim().split("\n").at(-1)).toBe("interrupted")
      expect(leftovers(root)).toEqual([])
      assertArtifactsWhole(root, "synthetic", undefined)
    },
    30_000
  )
})

/** How many generations have metadata.json now. */
const metadataCount = (root: string): number => {
  let n = 0
  for (const stage of ["draft", "essay", "evaluation"]) {
    const dir = path.join(root, "gens", stage)
    if (!fs.existsSync(dir)) continue
    for (const id of fs.readdirSync(dir)) if (fs.existsSync(path.join(dir, id, "metadata.json"))) n++
  }
  return n
}

/** How many generation folders exist now (one directory read per stage). */
const folderCount = (root: string): number =>
  ["draft", "essay", "evaluation"].reduce((n, stage) => {
    const dir = path.join(root, "gens", stage)
    return n + (fs.existsSync(dir) ? fs.readdirSync(dir).length : 0)
  }, 0)

describe("Ctrl-C", () => {
  it(
    "stops the metadata writes of both threads at once: a bounded few after the signal, none after 'interrupted'",
    async () => {
      const { root, rows } = synthetic(40)
      const child = spawn(process.execPath, [main, "build", "synthetic", "--data-root", root], {
        stdio: ["ignore", "pipe", "pipe"]
      })
      child.stdout.resume()
      let atInterrupted: number | undefined
      let stderr = ""
      child.stderr.on("data", (d) => {
        stderr += d
        // Counted the moment the process says it is done.
        if (atInterrupted === undefined && stderr.includes("interrupted")) atInterrupted = metadataCount(root)
      })
      const done = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)))
      // Signalled once evaluations are being written (both threads write them).
      const evaluations = path.join(root, "gens", "evaluation")
      for (let i = 0; i < 3000 && !(fs.existsSync(evaluations) && fs.readdirSync(evaluations).length > 2000); i++) {
        await new Promise((r) => setTimeout(r, 10))
      }
      // Counted in three directory reads, so that the build writes next to nothing between the count and
      // the signal (a file check per folder took long enough, on a loaded machine, to let hundreds
      // through uncounted). A folder is made before its metadata file, so this is at least the number of
      // metadata files at the signal.
      const atSignal = folderCount(root)
      child.kill("SIGINT")
      expect(await done).toBe(130)
      const atExit = metadataCount(root)
      expect(stderr.trim().split("\n").at(-1)).toBe("interrupted")
      expect(atExit).toBeLessThan(rows)
      expect(atInterrupted).toBe(atExit)
      // Each thread finishes at most the claim (256 rows) it is in when the signal is seen.
      expect(atExit - atSignal).toBeLessThanOrEqual(1000)
      expect(leftovers(root)).toEqual([])
    },
    60_000
  )
})

describe("concurrent builds", () => {
  it("two builds of the same cohort are serialized by the lock and both succeed with the same artifacts", async () => {
    const { root } = synthetic(6)
    const [a, b] = await Promise.all([
      // A slow first build on a loaded machine must not make the second give up: wait long.
      start(["build", "synthetic", "--data-root", root, "--wait", "600"]).done,
      start(["build", "synthetic", "--data-root", root, "--wait", "600"]).done
    ])
    // The build that waits says so at once (one line); nothing else reaches stderr.
    const other = (a.stderr + b.stderr).split("\n").filter((l) => l !== "" && !l.includes("waiting for the lock of"))
    expect([a.code, b.code, other]).toEqual([0, 0, []])
    const reference = synthetic(6)
    cohort(["build", "synthetic", "--data-root", reference.root])
    expect(snapshot(root)).toEqual(snapshot(reference.root))
    expect(leftovers(root)).toEqual([])
  }, 30_000)

  it("a build waits for a live lock holder and takes over a dead one's lock", async () => {
    const root = example()
    const lock = path.join(root, "cohorts", "daydream-pilot", ".lock")
    fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, host: os.hostname() }))
    const began = Date.now()
    const run = start(["build", "daydream-pilot", "--data-root", root])
    await new Promise((r) => setTimeout(r, 1200))
    expect(fs.existsSync(path.join(root, "cohorts", "daydream-pilot", "membership.csv"))).toBe(false)
    fs.rmSync(lock)
    expect((await run.done).code).toBe(0)
    expect(Date.now() - began).toBeGreaterThanOrEqual(1200)

    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" })
    fs.writeFileSync(lock, JSON.stringify({ pid: Number(dead.stdout), host: os.hostname() }))
    // What a build killed while taking or taking over the lock leaves: temp files named for its pid.
    const cohortDir = path.join(root, "cohorts", "daydream-pilot")
    fs.writeFileSync(path.join(cohortDir, `..lock.${dead.stdout}.0badcafe.tmp`), "")
    fs.writeFileSync(path.join(cohortDir, `..lock.${dead.stdout}.deadbeef.tmp`), lock)
    expect(cohort(["build", "daydream-pilot", "--data-root", root]).code).toBe(0)
    expect(fs.existsSync(lock)).toBe(false)
    expect(fs.readdirSync(cohortDir).filter((name) => name.startsWith("."))).toEqual([])
  }, 30_000)

  it("builds of two cohorts sharing generations both succeed and agree", async () => {
    const root = example()
    fs.cpSync(path.join(root, "cohorts", "daydream-pilot"), path.join(root, "cohorts", "pilot-twin"), {
      recursive: true
    })
    const [a, b] = await Promise.all([
      start(["build", "daydream-pilot", "--data-root", root]).done,
      start(["build", "pilot-twin", "--data-root", root]).done
    ])
    expect([a.code, b.code]).toEqual([0, 0])
    const one = fs.readFileSync(path.join(root, "cohorts", "daydream-pilot", "membership.csv"), "utf8")
    expect(fs.readFileSync(path.join(root, "cohorts", "pilot-twin", "membership.csv"), "utf8")).toBe(one)
    const ids = one.trim().split("\n").slice(1).map((l) => l.split(","))
    for (const [stage, id] of ids) {
      const meta = JSON.parse(fs.readFileSync(path.join(root, "gens", stage!, id!, "metadata.json"), "utf8"))
      expect(["daydream-pilot", "pilot-twin"]).toContain(meta.origin_cohort_id)
    }
    expect(leftovers(root)).toEqual([])
  }, 30_000)
})

describe("I/O faults", () => {
  it("a gens folder that cannot be created is ArtifactWriteFailed naming the path; no membership is written", () => {
    const root = example()
    fs.mkdirSync(path.join(root, "gens"))
    fs.writeFileSync(path.join(root, "gens", "evaluation"), "not a folder")
    const run = cohort(["build", "daydream-pilot", "--data-root", root])
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^ArtifactWriteFailed: cannot write .*gens\/evaluation/)
    expect(fs.existsSync(path.join(root, "cohorts", "daydream-pilot", "membership.csv"))).toBe(false)
    expect(leftovers(root)).toEqual([])
  })

  it("a catalog that cannot be read as a file is CatalogInvalid naming it", () => {
    const root = example()
    const file = path.join(root, "1_raw", "llm_models.csv")
    fs.rmSync(file)
    fs.mkdirSync(file)
    const before = snapshot(root)
    const run = cohort(["build", "daydream-pilot", "--data-root", root])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(`CatalogInvalid: catalog llm_models (${file})`)
    expect(snapshot(root)).toEqual(before)
  })

  it("a read-only data root fails the build with ArtifactWriteFailed naming the path and changes nothing", (ctx) => {
    const root = example()
    // Root ignores permission bits, so the data root is put on a read-only mount (when mounts are allowed).
    const mount = spawnSync("mount", ["--bind", root, root]).status === 0
    if (!mount) ctx.skip()
    try {
      if (spawnSync("mount", ["-o", "remount,ro,bind", root]).status !== 0) ctx.skip()
      const before = snapshot(root)
      const run = cohort(["build", "daydream-pilot", "--data-root", root])
      expect(run.code).toBe(1)
      expect(run.stderr).toMatch(
        new RegExp(`^ArtifactWriteFailed: cannot write ${root.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/`)
      )
      expect(snapshot(root)).toEqual(before)
    } finally {
      spawnSync("umount", [root])
    }
  })

  // The small cohort is written by one thread; the synthetic one's 14,976 generations by two (a worker
  // thread beside the main one), and 24 MB holds ~6,000 of them: `--json` says how many the worker wrote.
  it.for([
    { what: "a full disk", data: () => ({ root: example(), cohortId: "daydream-pilot" }), size: "64k", threads: 1 },
    {
      what: "a disk that fills while two threads write",
      data: () => ({ root: synthetic(12).root, cohortId: "synthetic" }),
      size: "24m",
      threads: 2
    }
  ])(
    "$what fails the build with ArtifactWriteFailed naming the file, leaving only whole files",
    ({ data, size, threads }, ctx) => {
      const { cohortId, root } = data()
      const gens = path.join(root, "gens")
      fs.mkdirSync(gens)
      const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", gens]).status === 0
      if (!mounted) ctx.skip()
      try {
        const run = cohort(["build", cohortId, "--data-root", root, "--json"])
        expect(run.code).toBe(1)
        expect(run.stderr).toMatch(
          new RegExp(`^ArtifactWriteFailed: cannot write ${gens.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/`, "m")
        )
        expect(run.stderr).toContain("ENOSPC")
        const output = JSON.parse(run.stdout)
        expect(output.error._tag).toBe("ArtifactWriteFailed")
        const written = output.work.find((w: { readonly job: string }) => w.job === "write")
        expect(written.by_workers > 0).toBe(threads === 2)
        expect(written.by_main_thread).toBeGreaterThan(0)
        // Some metadata was written before the disk filled; each file is whole, and no temp file is left.
        expect(listFiles(gens).length).toBeGreaterThan(0)
        assertArtifactsWhole(root, cohortId, undefined)
        expect(leftovers(root)).toEqual([])
        expect(fs.existsSync(path.join(root, "cohorts", cohortId, "membership.csv"))).toBe(false)
      } finally {
        spawnSync("umount", [gens])
      }
    }
  )
})

describe("determinism", () => {
  it("the same inputs give byte-identical artifacts whatever the time zone and locale", () => {
    const roots = [example(), example(), example()]
    const envs = [{ TZ: "UTC", LC_ALL: "C" }, { TZ: "Pacific/Kiritimati", LC_ALL: "tr_TR.UTF-8" }, {
      TZ: "America/St_Johns",
      LANG: "de_DE.UTF-8"
    }]
    roots.forEach((root, i) => expect(cohort(["build", "daydream-pilot", "--data-root", root], envs[i]).code).toBe(0))
    const [a, b, c] = roots.map(snapshot)
    expect(b).toEqual(a)
    expect(c).toEqual(a)
  })
})
