import { Effect, Option, type Scope } from "effect"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { Worker } from "node:worker_threads"
import { type EncodedRange, type EvaluationRowsJob, packJob } from "../engine/EvaluationRows.js"
import { workerThreadsAllowed } from "../layers/Threads.js"
import type { EvaluationReply, EvaluationRequest } from "./EvaluationWorker.js"

/** A worker thread making evaluation rows alongside this thread (both claim ranges of rows). */
export interface EvaluationWorker {
  /** Starts the worker claiming rows from `next`; the inner effect waits for the ranges it made. */
  readonly submit: (
    job: EvaluationRowsJob,
    next: Int32Array,
    size: number
  ) => Effect.Effect<Effect.Effect<ReadonlyArray<EncodedRange>>>
}

/**
 * Starts the worker for the scope (terminated when it closes), so that it loads while the plan is
 * compiled. None when threads are off (`COHORT_THREADS=1`) or the worker script is not beside this
 * module (running from TypeScript sources).
 */
export const startEvaluationWorker: Effect.Effect<Option.Option<EvaluationWorker>, never, Scope.Scope> = Effect.flatMap(
  workerThreadsAllowed,
  (allowed) => {
    const script = new URL("./EvaluationWorker.js", import.meta.url)
    if (!allowed || !existsSync(fileURLToPath(script))) return Effect.succeed(Option.none())
    return Effect.acquireRelease(
      Effect.sync(() => new Worker(script)),
      // Not waited for: the worker holds nothing to clean up, and is unref'd (it never delays an exit).
      (worker) => Effect.sync(() => void worker.terminate())
    ).pipe(Effect.map((worker) => {
      worker.unref()
      return Option.some<EvaluationWorker>({
        submit: (job, next, size) =>
          Effect.sync(() => {
            const reply = new Promise<ReadonlyArray<EncodedRange>>((resolve, reject) => {
              const onMessage = (message: EvaluationReply) => {
                worker.off("error", onError)
                if ("error" in message) reject(new Error(`evaluation worker: ${message.error}`))
                else resolve(message.ranges)
              }
              const onError = (error: Error) => {
                worker.off("message", onMessage)
                reject(error)
              }
              worker.once("message", onMessage)
              worker.once("error", onError)
            })
            worker.postMessage({ job: packJob(job), next, size } satisfies EvaluationRequest)
            // A failing worker is a defect (the same loop runs in this thread).
            return Effect.orDie(Effect.tryPromise(() => reply))
          })
      })
    }))
  }
)
