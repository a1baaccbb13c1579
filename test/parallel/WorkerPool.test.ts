import { describe, expect, it } from "@effect/vitest"
import { Cause, ConfigProvider, Effect, Exit } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import type * as Files from "../../src/lifecycle/GenerationFiles.js"
import type * as ClaimLoop from "../../src/parallel/ClaimLoop.js"
import type * as Pool from "../../src/parallel/WorkerPool.js"
import { repoRoot } from "../support/Fixtures.js"

// The worker threads run compiled code: the pool is loaded from dist/ (built before the tests), where
// its worker script sits beside it.
const load = <A>(file: string): Effect.Effect<A> =>
  Effect.promise(() => import(pathToFileURL(path.join(repoRoot, "dist", file)).href))
const modules = Effect.all({
  pool: load<typeof Pool>("parallel/WorkerPool.js"),
  claims: load<typeof ClaimLoop>("parallel/ClaimLoop.js"),
  files: load<typeof Files>("lifecycle/GenerationFiles.js")
})

const threads = (n: number) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["COHORT_THREADS", String(n)]])))

const busy = (ms: number) => {
  const until = Date.now() + ms
  while (Date.now() < until) { /* busy */ }
}

/** A temp gens/ root with `n` evaluation folders, every third one holding a metadata file. */
const gensRoot = (n: number) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "cohort-pool-"))
  const ids = Array.from({ length: n }, (_, i) => `v_${i.toString(36)}`)
  ids.forEach((id, i) => {
    fs.mkdirSync(path.join(root, "evaluation", id), { recursive: true })
    if (i % 3 === 0) fs.writeFileSync(path.join(root, "evaluation", id, "metadata.json"), "{}")
  })
  return { root, ids, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) }
}

describe("WorkerPool", () => {
  it.effect(
    "shares a job with its worker: every item done once, the same as on one thread, and tallied",
    () =>
      Effect.gen(function*() {
        const { claims, files, pool: { WorkerPool } } = yield* modules
        const n = 3_000
        const gens = gensRoot(n)
        const probe = (threadCount: number) =>
          Effect.gen(function*() {
            const pool = yield* WorkerPool
            const deadline = Date.now() + 30_000
            const work = {
              gensRoot: gens.root,
              stages: new Uint8Array(new SharedArrayBuffer(n)).fill(2),
              genIds: gens.ids.join("\n"),
              todo: Int32Array.from({ length: n }, (_, i) => i),
              next: claims.sharedCounter(),
              bits: new Uint8Array(new SharedArrayBuffer(n))
            }
            const shared = yield* pool.share({
              kind: "probe",
              items: n,
              parallel: true,
              job: () => ({ kind: "probe", root: gens.root, work }),
              // With a worker, this thread claims nothing before the worker has (however slowly it starts).
              step: () => {
                if (threadCount > 1 && Atomics.load(work.next, 0) === 0 && Date.now() < deadline) {
                  busy(5)
                  return { done: 0, more: true }
                }
                return files.probeClaimed(work, 50)
              },
              stop: () => claims.stopClaims(work.next)
            })
            return { pool: pool.workers, shared, bits: Array.from(work.bits), tally: yield* pool.tally }
          }).pipe(Effect.provide(WorkerPool.layer), threads(threadCount))
        const two = yield* probe(2)
        const one = yield* probe(1)
        gens.cleanup()
        expect([two.pool, one.pool]).toEqual([1, 0])
        expect(two.bits).toEqual(one.bits)
        expect(one.bits.filter((b) => b !== 0)).toHaveLength(n / 3)
        expect(two.shared.byWorkers).toBeGreaterThan(0)
        expect(two.shared.byThisThread + two.shared.byWorkers).toBe(n)
        expect(two.tally).toEqual([{
          job: "probe",
          items: n,
          byMainThread: two.shared.byThisThread,
          byWorkers: two.shared.byWorkers
        }])
        expect(one.tally).toEqual([{ job: "probe", items: n, byMainThread: n, byWorkers: 0 }])
      }),
    60_000
  )

  it.effect(
    "a worker failing while this thread still works is a defect, reported after both threads stopped",
    () =>
      Effect.gen(function*() {
        const { claims, pool: { WorkerPool } } = yield* modules
        const n = 10
        // Packed rows that do not unpack (one id for ten rows): the worker throws on receiving them.
        const packed = {
          rows: n,
          stages: new Uint8Array(n),
          genIds: "d_1",
          parentGenIds: "",
          texts: [],
          combo: new Int32Array(n),
          template: new Int32Array(n),
          llm: new Int32Array(n),
          replicate: { values: new Float64Array(n), big: [] }
        }
        const shared = {
          cohortId: "x",
          modes: {},
          todo: new Int32Array(new SharedArrayBuffer(4 * n)),
          next: claims.sharedCounter(),
          outcomes: new Uint8Array(new SharedArrayBuffer(n))
        }
        let steps = 0
        let stopped = false
        const exit = yield* Effect.gen(function*() {
          const pool = yield* WorkerPool
          expect(pool.workers).toBe(1)
          return yield* Effect.exit(pool.share({
            kind: "write",
            items: n,
            parallel: true,
            job: () => ({ kind: "write", root: "/nonexistent", work: { ...shared, packed } }),
            // This thread keeps working for ~0.5 s, long after the worker has failed.
            step: () => {
              busy(10)
              return { done: 0, more: ++steps < 50 }
            },
            stop: () => {
              stopped = true
            }
          }))
        }).pipe(Effect.provide(WorkerPool.layer), threads(2))
        expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
        expect(String(Exit.isFailure(exit) ? Cause.squash(exit.cause) : "")).toContain("packed ids: 1 for 10 rows")
        expect(steps).toBe(50)
        expect(stopped).toBe(true)
      }),
    60_000
  )

  it.effect(
    "COHORT_THREADS sizes the pool: 1 is no worker, 3 is two, anything else the default",
    () =>
      Effect.gen(function*() {
        const { pool: { WorkerPool } } = yield* modules
        const workers = (value: string) =>
          Effect.map(WorkerPool, (pool) => pool.workers).pipe(
            Effect.provide(WorkerPool.layer),
            Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["COHORT_THREADS", value]])))
          )
        const fallback = Math.min(2, os.availableParallelism()) - 1
        expect(yield* workers("1")).toBe(0)
        expect(yield* workers(" 1 ")).toBe(0)
        expect(yield* workers("3")).toBe(2)
        expect(yield* workers("0")).toBe(fallback)
        expect(yield* workers("many")).toBe(fallback)
        expect(yield* Effect.map(WorkerPool, (pool) => pool.workers).pipe(Effect.provide(WorkerPool.inline))).toBe(0)
      }),
    60_000
  )
})
