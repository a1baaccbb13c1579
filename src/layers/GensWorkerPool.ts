import { Effect, Exit, Option } from "effect"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { Worker } from "node:worker_threads"
import { yieldToEventLoop } from "../gens/GensStore.js"
import type { Progress, WriteFailure } from "../gens/GensWork.js"
import type { GensJob, GensReply, GensRequest } from "./GensWorker.js"
import { workerThreadsAllowed } from "./Threads.js"

/**
 * A worker thread verifying a build's existing metadata, or writing its new metadata, alongside this
 * thread: both claim items from a shared counter, so neither waits for the other's share.
 */
export interface GensWorker {
  /**
   * Starts the worker on `job`; the inner effect waits until it has done its last claimed item, and says
   * how many items it did, with the write that failed if one did. Callers wait for it on every exit (a
   * process that exits while the worker writes would cut a write short).
   */
  readonly submit: (job: GensJob) => Effect.Effect<Effect.Effect<WorkerResult>>
}

/** What the worker did of a job. */
export interface WorkerResult {
  readonly done: number
  readonly failure?: WriteFailure
}

// One worker for the process, started on first use; it keeps the process alive only while a request is
// pending.
let worker: Worker | null | undefined
let seq = 0
const pending = new Map<
  number,
  { readonly resolve: (result: WorkerResult) => void; readonly reject: (e: Error) => void }
>()

const start = (): Worker | null => {
  const script = new URL("./GensWorker.js", import.meta.url)
  if (!existsSync(fileURLToPath(script))) return null
  const w = new Worker(script)
  w.unref()
  w.on("message", (reply: GensReply) => {
    const request = pending.get(reply.seq)
    pending.delete(reply.seq)
    if (pending.size === 0) w.unref()
    if ("error" in reply) request?.reject(new Error(`gens worker: ${reply.error}`))
    else request?.resolve(reply)
  })
  const fail = (error: Error) => {
    for (const request of pending.values()) request.reject(error)
    pending.clear()
    worker = undefined
  }
  w.on("error", fail)
  w.on("exit", (code) => fail(new Error(`gens worker exited (code ${code})`)))
  return w
}

/** The process's gens worker, or none when threads are off (`COHORT_THREADS=1`) or it cannot load. */
export const gensWorker: Effect.Effect<Option.Option<GensWorker>> = Effect.flatMap(
  workerThreadsAllowed,
  (allowed) => allowed ? sharedWorker : Effect.succeed(Option.none())
)

const sharedWorker: Effect.Effect<Option.Option<GensWorker>> = Effect.sync(() => {
  if (worker === undefined) worker = start()
  const w = worker
  if (w === null) return Option.none()
  return Option.some<GensWorker>({
    submit: (job) =>
      Effect.sync(() => {
        const id = seq++
        const reply = new Promise<WorkerResult>((resolve, reject) => pending.set(id, { resolve, reject }))
        // Settled into an Exit at once: a worker failing while this thread still works must not be an
        // unhandled rejection (which ends the process before any finalizer runs). A failing worker is a
        // defect (a failed write is a value; the same code runs in this thread).
        const settled = reply.then((result) => Exit.succeed(result), (error) => Exit.die(error))
        w.ref()
        w.postMessage({ job, seq: id } satisfies GensRequest)
        return Effect.flatten(Effect.promise(() => settled))
      })
  })
})

/** What this thread and the worker did of shared work. */
export interface SharedResult {
  readonly byThisThread: number
  readonly byWorker: number
  readonly failure?: WriteFailure
}

/**
 * Runs work shared through a counter: on the worker when there is one (its job is submitted first), and
 * on this thread by calling `step` between event-loop yields until it reports that nothing is left. On
 * any exit (a failure, a defect, an interruption), `stop` makes both threads stop claiming, and the
 * worker's last item is waited for: nothing is written once this has returned.
 */
export const shareWork = (options: {
  readonly worker: Option.Option<GensWorker>
  readonly job: () => GensJob
  readonly step: () => Progress & { readonly failure?: WriteFailure }
  readonly stop: () => void
}): Effect.Effect<SharedResult> =>
  Effect.acquireUseRelease(
    Option.match(options.worker, {
      onNone: () => Effect.succeed(Effect.succeed<WorkerResult>({ done: 0 })),
      onSome: (worker) => Effect.suspend(() => worker.submit(options.job()))
    }),
    (workerDone) =>
      Effect.gen(function*() {
        let byThisThread = 0
        let failure: WriteFailure | undefined
        for (;;) {
          const progress = options.step()
          byThisThread += progress.done
          failure = progress.failure
          if (failure !== undefined || !progress.more) break
          yield* yieldToEventLoop
        }
        const fromWorker = yield* Effect.exit(workerDone)
        // A failure here is reported before anything the worker met after it.
        if (failure !== undefined) {
          return { byThisThread, byWorker: Exit.isSuccess(fromWorker) ? fromWorker.value.done : 0, failure }
        }
        const { done, failure: workerFailure } = yield* fromWorker
        return workerFailure === undefined
          ? { byThisThread, byWorker: done }
          : { byThisThread, byWorker: done, failure: workerFailure }
      }),
    (workerDone, exit) =>
      Exit.isSuccess(exit) ? Effect.void : Effect.andThen(Effect.sync(options.stop), Effect.exit(workerDone))
  )
