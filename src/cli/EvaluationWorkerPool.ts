import { Effect, Option, type Scope } from "effect"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { Worker } from "node:worker_threads"
import { type EvaluationRowsJob, packJob } from "./EvaluationRows.js"
import type { EvaluationReply, EvaluationRequest } from "./EvaluationWorker.js"

/** A worker thread making a share of the evaluation rows while this thread makes the rest. */
export interface EvaluationWorker {
  /** Hands rows [from, to) to the worker now; the inner effect waits for their chunks. */
  readonly submit: (
    job: EvaluationRowsJob,
    from: number,
    to: number
  ) => Effect.Effect<Effect.Effect<ReadonlyArray<Uint8Array>>>
}

/**
 * Starts the worker for the scope (terminated when it closes), so that it loads while the plan is
 * compiled. None when threads are off (`COHORT_THREADS=1`) or the worker script is not beside this
 * module (running from TypeScript sources).
 */
export const startEvaluationWorker: Effect.Effect<Option.Option<EvaluationWorker>, never, Scope.Scope> = Effect.suspend(
  () => {
    const script = new URL("./EvaluationWorker.js", import.meta.url)
    if (process.env["COHORT_THREADS"] === "1" || !existsSync(fileURLToPath(script))) {
      return Effect.succeed(Option.none())
    }
    return Effect.acquireRelease(
      Effect.sync(() => new Worker(script)),
      (worker) => Effect.promise(() => worker.terminate())
    ).pipe(Effect.map((worker) => {
      worker.unref()
      return Option.some<EvaluationWorker>({
        submit: (job, from, to) =>
          Effect.sync(() => {
            const reply = new Promise<ReadonlyArray<Uint8Array>>((resolve, reject) => {
              const onMessage = (message: EvaluationReply) => {
                worker.off("error", onError)
                if ("error" in message) reject(new Error(`evaluation worker: ${message.error}`))
                else resolve(message.chunks)
              }
              const onError = (error: Error) => {
                worker.off("message", onMessage)
                reject(error)
              }
              worker.once("message", onMessage)
              worker.once("error", onError)
            })
            worker.postMessage({ job: packJob(job), from, to } satisfies EvaluationRequest)
            // A failing worker is a defect (the same loop runs in this thread).
            return Effect.orDie(Effect.tryPromise(() => reply))
          })
      })
    }))
  }
)
