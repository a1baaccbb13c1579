import { parentPort } from "node:worker_threads"
import { loadGenIdHasher } from "../domain/IdHasher.js"
import { ByteChunks, encodeEvaluationRows, type PackedJob, unpackJob } from "./EvaluationRows.js"

// A worker thread that makes a share of `plan`'s evaluation rows (see EvaluationWorkerPool.ts).

export interface EvaluationRequest {
  readonly job: PackedJob
  readonly from: number
  readonly to: number
}

export type EvaluationReply =
  | { readonly chunks: ReadonlyArray<Uint8Array> }
  | { readonly error: string }

const hasher = loadGenIdHasher()

parentPort?.on("message", (request: EvaluationRequest) => {
  hasher.then((h) => {
    const out = new ByteChunks()
    encodeEvaluationRows(unpackJob(request.job), h, request.from, request.to, out)
    out.flush()
    const chunks = out.take()
    parentPort!.postMessage({ chunks } satisfies EvaluationReply, chunks.map((c) => c.buffer as ArrayBuffer))
  }).catch((error: unknown) => {
    parentPort!.postMessage({ error: String(error) } satisfies EvaluationReply)
  })
})
