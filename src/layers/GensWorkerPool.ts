import { Effect, Option } from "effect"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { Worker } from "node:worker_threads"
import type { WriteFailure } from "./GensDirectory.js"
import type { GensJob, GensReply, GensRequest } from "./GensWorker.js"
import { workerThreadsAllowed } from "./Threads.js"

/**
 * A worker thread verifying a build's existing metadata, or writing its new metadata, alongside this
 * thread: both claim items from a shared counter, so neither waits for the other's share.
 */
export interface GensWorker {
  /**
   * Starts the worker on `job`; the inner effect waits until it has done its last claimed item, with the
   * write that failed if one did.
   */
  readonly submit: (job: GensJob) => Effect.Effect<Effect.Effect<WriteFailure | undefined>>
}

// One worker for the process, started on first use. It only reads, so an abandoned request is harmless;
// it keeps the process alive only while a request is pending.
let worker: Worker | null | undefined
let seq = 0
const pending = new Map<
  number,
  { readonly resolve: (failure: WriteFailure | undefined) => void; readonly reject: (e: Error) => void }
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
    else request?.resolve(reply.failure)
  })
  w.on("error", (error) => {
    for (const request of pending.values()) request.reject(error)
    pending.clear()
    worker = undefined
  })
  return w
}

/** The process's gens worker, or none when threads are off (`COHORT_THREADS=1`) or it cannot load. */
export const gensWorker: Effect.Effect<Option.Option<GensWorker>> = Effect.flatMap(workerThreadsAllowed, (allowed) =>
  allowed ? sharedWorker : Effect.succeed(Option.none()))

const sharedWorker: Effect.Effect<Option.Option<GensWorker>> = Effect.sync(() => {
  if (worker === undefined) worker = start()
  const w = worker
  if (w === null) return Option.none()
  return Option.some<GensWorker>({
    submit: (job) =>
      Effect.sync(() => {
        const id = seq++
        const reply = new Promise<WriteFailure | undefined>((resolve, reject) => pending.set(id, { resolve, reject }))
        w.ref()
        w.postMessage({ job, seq: id } satisfies GensRequest)
        // A failing worker is a defect (a failed write is a value; the same code runs in this thread).
        return Effect.orDie(Effect.tryPromise(() => reply))
      })
  })
})
