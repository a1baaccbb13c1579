import { parentPort } from "node:worker_threads"
import { loadGenIdHasher } from "../domain/IdHasher.js"
import { runJob, type WorkerReply, type WorkerRequest } from "./WorkerJob.js"

// A worker thread of the pool (WorkerPool.ts): runs each job it is sent, claiming items alongside the
// main thread, and replies with what it did.

const hasher = loadGenIdHasher()

parentPort?.on("message", ({ job, seq }: WorkerRequest) => {
  hasher.then((h) => {
    const done = runJob(job, h, (part) => parentPort!.postMessage({ seq, part } satisfies WorkerReply))
    parentPort!.postMessage({ seq, done } satisfies WorkerReply)
  }).catch((error: unknown) => {
    parentPort!.postMessage({ seq, error: String(error) } satisfies WorkerReply)
  })
})
