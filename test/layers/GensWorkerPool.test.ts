import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Option } from "effect"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import type * as Pool from "../../src/layers/GensWorkerPool.js"
import { repoRoot } from "../support/Fixtures.js"

// The worker thread runs compiled code: the pool is loaded from dist/ (built before the tests), where
// its worker script sits beside it.
const pool = (): Promise<typeof Pool> =>
  import(pathToFileURL(path.join(repoRoot, "dist", "layers", "GensWorkerPool.js")).href)

describe("shareWork", () => {
  it.effect("a worker failing while this thread still works is a defect, reported after both threads stopped", () =>
    Effect.gen(function*() {
      const { gensWorker, shareWork } = yield* Effect.promise(pool)
      const worker = yield* gensWorker
      expect(Option.isSome(worker)).toBe(true)
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
        replicate: new Float64Array(n)
      }
      const shared = {
        cohortId: "x",
        modes: {},
        todo: new Int32Array(new SharedArrayBuffer(4 * n)),
        next: new Int32Array(new SharedArrayBuffer(4)),
        outcomes: new Uint8Array(new SharedArrayBuffer(n))
      }
      let steps = 0
      let stopped = false
      const exit = yield* Effect.exit(shareWork({
        worker,
        job: () => ({ kind: "write", root: "/nonexistent", work: { ...shared, packed } }),
        // This thread keeps working for ~0.5 s, long after the worker has failed.
        step: () => {
          const until = Date.now() + 10
          while (Date.now() < until) { /* busy */ }
          return { done: 0, more: ++steps < 50 }
        },
        stop: () => {
          stopped = true
        }
      }))
      expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
      expect(String(Exit.isFailure(exit) ? Cause.squash(exit.cause) : "")).toContain("packed ids: 1 for 10 rows")
      expect(steps).toBe(50)
      expect(stopped).toBe(true)
    }))
})
