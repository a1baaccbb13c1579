import { parentPort } from "node:worker_threads"
import { GensDirectory, type SharedVerification, verifyClaimed } from "./GensDirectory.js"

// A worker thread that verifies existing metadata files alongside the main thread (see GensWorkerPool.ts).

export interface VerifyRequest extends SharedVerification {
  readonly seq: number
  readonly root: string
}

export type VerifyReply = { readonly seq: number } | { readonly seq: number; readonly error: string }

parentPort?.on("message", (request: VerifyRequest) => {
  try {
    verifyClaimed(new GensDirectory(request.root), request)
    parentPort!.postMessage({ seq: request.seq } satisfies VerifyReply)
  } catch (error) {
    parentPort!.postMessage({ seq: request.seq, error: String(error) } satisfies VerifyReply)
  }
})
