import { parentPort } from "node:worker_threads"
import { GensStoreService } from "../gens/GensStoreService.js"
import {
  type SharedVerification,
  type SharedWritesJob,
  unpackColumns,
  verifyClaimed,
  writeClaimed,
  type WriteFailure
} from "../gens/GensWork.js"
import { probeClaimed, type SharedProbe } from "../lifecycle/GenerationFiles.js"

// A worker thread that verifies existing metadata files, or writes new ones, alongside the main thread
// (see GensWorkerPool.ts).

/** Work shared with the main thread: both claim items from the same counter. */
export type GensJob =
  | { readonly kind: "verify"; readonly root: string; readonly work: SharedVerification }
  | { readonly kind: "write"; readonly root: string; readonly work: SharedWritesJob }
  | { readonly kind: "probe"; readonly root: string; readonly work: SharedProbe }

export interface GensRequest {
  readonly seq: number
  readonly job: GensJob
}

/** Done: how many items the worker did (and the write that failed, if one did); or a defect. */
export type GensReply =
  | { readonly seq: number; readonly done: number; readonly failure?: WriteFailure }
  | { readonly seq: number; readonly error: string }

parentPort?.on("message", ({ job, seq }: GensRequest) => {
  let reply: GensReply
  try {
    const gens = new GensStoreService(job.root)
    if (job.kind === "probe") {
      reply = { seq, done: probeClaimed(job.work).done }
    } else if (job.kind === "verify") {
      reply = { seq, done: verifyClaimed(gens, job.work).done }
    } else {
      const { packed, ...work } = job.work
      const { done, failure } = writeClaimed(gens, { ...work, rows: unpackColumns(packed) })
      reply = failure === undefined ? { seq, done } : { seq, done, failure }
    }
  } catch (error) {
    reply = { seq, error: String(error) }
  }
  parentPort!.postMessage(reply)
})
