import { Config, Context, Effect, Exit, Layer, Option, Ref, type Scope } from "effect"
import { existsSync } from "node:fs"
import * as os from "node:os"
import { fileURLToPath } from "node:url"
import { Worker } from "node:worker_threads"
import type { Stage } from "../domain/Stage.js"
import { echoed } from "../domain/TerminalText.js"
import { yieldToEventLoop } from "../gens/GensStore.js"
import type { WriteFailure } from "../gens/GensWork.js"
import type { Progress } from "./ClaimLoop.js"
import type { JobDone, JobPart, WorkerJob, WorkerReply, WorkerRequest } from "./WorkerJob.js"

/** What the threads did of one shared job: its items, how many the main thread and the workers did. */
export interface JobTally {
  readonly job: WorkerJob["kind"]
  /** The stage whose metadata a `verify` job read. */
  readonly stage?: Stage
  readonly items: number
  readonly byMainThread: number
  readonly byWorkers: number
}

/** A shared job: what it is, whether it is large enough for the workers, and this thread's part of it. */
export interface ShareOptions {
  readonly kind: WorkerJob["kind"]
  readonly stage?: Stage
  readonly items: number
  /** Below some size a worker costs more than it saves: then this thread does it all. */
  readonly parallel: boolean
  /** The job as sent to the workers (made only when they take part). */
  readonly job: () => WorkerJob
  /** Does some of this thread's claims; called between event-loop yields until nothing is left. */
  readonly step: () => Progress & { readonly failure?: WriteFailure }
  /** Stops every thread claiming (on a failure, a defect or an interruption). */
  readonly stop: () => void
  /** What a worker sends while it works (for `evaluations`, the rows it made so far), as it arrives. */
  readonly onPart?: (part: JobPart) => void
  /**
   * Run between this thread's steps in place of a bare event-loop yield (it must yield too): e.g. writing
   * the rows made so far while the workers go on.
   */
  readonly between?: Effect.Effect<void>
}

/** What this thread and the workers did of a shared job. */
export interface SharedResult {
  readonly byThisThread: number
  readonly byWorkers: number
  readonly failure?: WriteFailure
  /** What each worker did. */
  readonly fromWorkers: ReadonlyArray<JobDone>
}

/**
 * Worker threads that share jobs with the main thread: every thread claims items from one counter in
 * shared memory, so none waits for another's share, and the results are the same with no worker at all.
 */
export class WorkerPool extends Context.Tag("cohort/WorkerPool")<WorkerPool, {
  /** Worker threads beside this one (0: everything runs on this thread). */
  readonly workers: number
  /**
   * Runs a job on this thread and the workers. On any exit (a failure, a defect, an interruption) every
   * thread stops claiming and the workers' last items are waited for: nothing is written once it returned.
   */
  readonly share: (options: ShareOptions) => Effect.Effect<SharedResult>
  /** What each thread did of each job shared so far, in the order the jobs ended (jobs may overlap). */
  readonly tally: Effect.Effect<ReadonlyArray<JobTally>>
  /**
   * Starts the workers of a pool made `layerOnDemand` now (they load while this thread goes on), for a
   * caller that knows large jobs are coming; nothing for one whose workers run already or that has none.
   */
  readonly warm: Effect.Effect<void>
}>() {
  /**
   * `COHORT_THREADS` threads in all (default 2, or 1 on a one-core machine; `1`: everything on the
   * main thread). The workers start when the layer is built (they load while the spec compiles) and
   * are terminated when its scope closes. None when the worker script is not beside this module
   * (running from TypeScript sources).
   */
  static readonly layer: Layer.Layer<WorkerPool> = Layer.scoped(WorkerPool, scopedPool("at once"))

  /**
   * `layer`, its workers started by the first job large enough to share (a build that has none, such
   * as a small one, starts no thread); terminated when its scope closes.
   */
  static readonly layerOnDemand: Layer.Layer<WorkerPool> = Layer.scoped(WorkerPool, scopedPool("on demand"))

  /** A shared job on `pool`, or without one on this thread alone (then nothing is tallied). */
  static readonly shareOn = (
    pool: Option.Option<WorkerPool["Type"]>,
    options: ShareOptions
  ): Effect.Effect<SharedResult> =>
    Option.match(pool, { onNone: () => runShared(options, []), onSome: (p) => p.share(options) })

  /** No worker: every job runs on this thread. */
  static readonly inline: Layer.Layer<WorkerPool> = Layer.effect(
    WorkerPool,
    Effect.suspend(() => makePool(0, () => []))
  )
}

/** The pool of `COHORT_THREADS`, its workers started at once or by the first job that shares. */
function scopedPool(start: "at once" | "on demand"): Effect.Effect<WorkerPool["Type"], never, Scope.Scope> {
  return Effect.gen(function*() {
    const threads = yield* threadsConfig
    const script = new URL("./PoolWorker.js", import.meta.url)
    if (threads <= 1 || !existsSync(fileURLToPath(script))) return yield* makePool(0, () => [])
    let started: ReadonlyArray<PoolThread> | undefined
    const workers = () => (started ??= Array.from({ length: threads - 1 }, () => startWorker(script)))
    // Not waited for: a worker holds nothing to clean up once its jobs were waited for.
    yield* Effect.addFinalizer(() => Effect.sync(() => started?.forEach((w) => w.terminate())))
    if (start === "at once") workers()
    return yield* makePool(threads - 1, workers)
  })
}

const MAX_THREADS = 16

/** `COHORT_THREADS` (a whole number ≥ 1; anything else is the default). */
const threadsConfig: Effect.Effect<number> = Effect.gen(function*() {
  const fallback = Math.min(2, os.availableParallelism())
  const text = yield* Config.string("COHORT_THREADS").pipe(Config.withDefault(""), Effect.orElseSucceed(() => ""))
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : 0
  return n >= 1 ? Math.min(n, MAX_THREADS) : fallback
})

/** One worker thread: jobs are sent with a number, replies matched to it. */
interface PoolThread {
  /** Starts the worker on `job`; the inner effect waits for its reply. None once the worker has died. */
  readonly submit: (job: WorkerJob, onPart?: (part: JobPart) => void) => Option.Option<Effect.Effect<JobDone>>
  readonly terminate: () => void
}

/**
 * What a worker threw (`String(error)`, which may hold a path or a value of the data) as this thread's
 * defect: escaped and bounded, since a defect is printed as it is.
 */
export const workerError = (thrown: string): Error => new Error(`pool worker: ${echoed(thrown)}`)

const startWorker = (script: URL): PoolThread => {
  const worker = new Worker(script)
  // It keeps the process alive only while a job is pending.
  worker.unref()
  let seq = 0
  let dead: Error | undefined
  const pending = new Map<number, {
    readonly resolve: (done: JobDone) => void
    readonly reject: (e: Error) => void
    readonly onPart: ((part: JobPart) => void) | undefined
  }>()
  worker.on("message", (reply: WorkerReply) => {
    const request = pending.get(reply.seq)
    if ("part" in reply) return request?.onPart?.(reply.part)
    pending.delete(reply.seq)
    if (pending.size === 0) worker.unref()
    if ("error" in reply) request?.reject(workerError(reply.error))
    else request?.resolve(reply.done)
  })
  const fail = (error: Error) => {
    dead ??= error
    for (const request of pending.values()) request.reject(error)
    pending.clear()
  }
  worker.on("error", fail)
  worker.on("exit", (code) => fail(new Error(`pool worker exited (code ${code})`)))
  return {
    submit: (job, onPart) => {
      if (dead !== undefined) return Option.none()
      const id = seq++
      const reply = new Promise<JobDone>((resolve, reject) => pending.set(id, { resolve, reject, onPart }))
      // Settled into an Exit at once: a worker failing while this thread still works must not be an
      // unhandled rejection (which ends the process before any finalizer runs). A failing worker is a
      // defect (a failed write is a value; the same code runs on this thread).
      const settled = reply.then((done) => Exit.succeed(done), (error) => Exit.die(error))
      worker.ref()
      worker.postMessage({ job, seq: id } satisfies WorkerRequest)
      return Option.some(Effect.flatten(Effect.promise(() => settled)))
    },
    terminate: () => void worker.terminate()
  }
}

const makePool = (count: number, workers: () => ReadonlyArray<PoolThread>) =>
  Effect.gen(function*() {
    const tally = yield* Ref.make<ReadonlyArray<JobTally>>([])
    const share = Effect.fn("WorkerPool.share")(function*(options: ShareOptions) {
      const shared = yield* Effect.acquireUseRelease(
        Effect.sync(() => {
          if (!options.parallel || count === 0) return []
          const job = options.job()
          return workers().flatMap((t) => Option.toArray(t.submit(job, options.onPart)))
        }),
        (fromWorkers) => runShared(options, fromWorkers),
        (fromWorkers, exit) =>
          Exit.isSuccess(exit)
            ? Effect.void
            : Effect.andThen(Effect.sync(options.stop), Effect.forEach(fromWorkers, (done) => Effect.exit(done)))
      )
      yield* Ref.update(tally, (jobs) => [...jobs, {
        job: options.kind,
        ...(options.stage === undefined ? {} : { stage: options.stage }),
        items: options.items,
        byMainThread: shared.byThisThread,
        byWorkers: shared.byWorkers
      }])
      return shared
    })
    const warm = Effect.sync(() => {
      if (count > 0) workers()
    })
    return WorkerPool.of({ workers: count, share, tally: Ref.get(tally), warm })
  })

/** This thread's claims between event-loop yields (signals are seen there), then the workers' replies. */
const runShared = (options: ShareOptions, fromWorkers: ReadonlyArray<Effect.Effect<JobDone>>) =>
  Effect.gen(function*() {
    let byThisThread = 0
    let failure: WriteFailure | undefined
    for (;;) {
      const progress = options.step()
      byThisThread += progress.done
      failure = progress.failure
      if (failure !== undefined || !progress.more) break
      yield* options.between ?? yieldToEventLoop
    }
    const exits = yield* Effect.forEach(fromWorkers, (done) => Effect.exit(done))
    const sum = (dones: ReadonlyArray<JobDone>) => dones.reduce((n, d) => n + d.done, 0)
    // This thread's failure is reported before anything a worker met after it.
    if (failure !== undefined) {
      const dones = exits.flatMap((e) => (Exit.isSuccess(e) ? [e.value] : []))
      return { byThisThread, byWorkers: sum(dones), failure, fromWorkers: dones } satisfies SharedResult
    }
    const dones = yield* Effect.all(exits)
    const workerFailure = dones.find((d) => d.failure !== undefined)?.failure
    const result: SharedResult = { byThisThread, byWorkers: sum(dones), fromWorkers: dones }
    return workerFailure === undefined ? result : { ...result, failure: workerFailure }
  })
