import { parentPort } from "node:worker_threads"
import { loadGenIdHasher } from "../domain/IdHasher.js"
import { encodeClaimed, type EncodedRange, type PackedJob, unpackJob } from "../engine/EvaluationRows.js"

// A worker thread that makes a share of `plan`'s evaluation rows (see EvaluationWorkerPool.ts).

export interface EvaluationRequest {
  readonly job: PackedJob
  /** The next unclaimed row (shared with the main thread) and the number of rows. */
  readonly next: Int32Array
  readonly size: number
}

export type EvaluationReply =
  | { readonly ranges: ReadonlyArray<EncodedRange> }
  | { readonly error: string }

const hasher = loadGenIdHasher()

parentPort?.on("message", (request: EvaluationRequest) => {
  hasher.then((h) => {
    const ranges = encodeClaimed(unpackJob(request.job), h, request.next, request.size)
    const transfer = [...new Set(ranges.flatMap((r) => r.chunks.map((c) => c.buffer as ArrayBuffer)))] // ranges share buffers
    parentPort!.postMessage({ ranges } satisfies EvaluationReply, transfer)
  }).catch((error: unknown) => {
    parentPort!.postMessage({ error: String(error) } satisfies EvaluationReply)
  })
})
