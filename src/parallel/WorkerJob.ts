import type { GenIdHasher } from "../domain/IdHasher.js"
import { ClaimedRows, type EncodedRange, type EvaluationRowsJob, type Slabs } from "../engine/EvaluationRows.js"
import { GensStoreService } from "../gens/GensStoreService.js"
import {
  type SharedVerificationJob,
  type SharedWritesJob,
  unpackColumns,
  unpackVerification,
  verifyClaimed,
  writeClaimed,
  type WriteFailure
} from "../gens/GensWork.js"
import {
  probeClaimed,
  probeLinesClaimed,
  type SharedLineProbe,
  type SharedProbe
} from "../lifecycle/GenerationFiles.js"

// The jobs a worker thread of the pool runs, and what it says back. Effect-free: the worker script runs it.

/**
 * Work shared with the main thread: every thread claims items from the same counter (`ClaimLoop.ts`).
 * `evaluations`: plan's evaluation rows as CSV bytes; `verify`: a build's existing metadata against its
 * signatures; `write`: a build's new metadata files; `probe`: status's generation files (`probe-lines`:
 * those a membership.csv's lines name, before its rows are known).
 */
export type WorkerJob =
  | {
    readonly kind: "evaluations"
    readonly job: EvaluationRowsJob
    readonly next: Int32Array
    readonly size: number
    readonly slabs: Slabs
  }
  | { readonly kind: "verify"; readonly root: string; readonly work: SharedVerificationJob }
  | { readonly kind: "write"; readonly root: string; readonly work: SharedWritesJob }
  | { readonly kind: "probe"; readonly root: string; readonly work: SharedProbe }
  | { readonly kind: "probe-lines"; readonly root: string; readonly work: SharedLineProbe }

/** What a thread did of a job: how many items, the write that failed (if one did). */
export interface JobDone {
  readonly done: number
  readonly failure?: WriteFailure
}

/** What a worker sends while it works: for `evaluations`, the rows it made so far (in shared memory). */
export interface JobPart {
  readonly ranges: ReadonlyArray<EncodedRange>
}

export interface WorkerRequest {
  readonly seq: number
  readonly job: WorkerJob
}

/** A part of a job, its outcome, or a defect (the same code runs on the main thread, so a throw is a bug). */
export type WorkerReply =
  | { readonly seq: number; readonly part: JobPart }
  | { readonly seq: number; readonly done: JobDone }
  | { readonly seq: number; readonly error: string }

/** Runs a job on this thread (the worker's side of it); parts are sent through `emit` as they are made. */
export const runJob = (job: WorkerJob, hasher: GenIdHasher, emit: (part: JobPart) => void): JobDone => {
  switch (job.kind) {
    case "evaluations": {
      const rows = new ClaimedRows(
        job.job,
        hasher,
        job.next,
        job.size,
        job.slabs,
        (ranges) => emit({ ranges })
      )
      const { done } = rows.run()
      rows.end()
      return { done }
    }
    case "probe":
      return { done: probeClaimed(job.work).done }
    case "probe-lines":
      return { done: probeLinesClaimed(job.work).done }
    case "verify":
      return { done: verifyClaimed(new GensStoreService(job.root), unpackVerification(job.work)).done }
    case "write": {
      const { packed, ...work } = job.work
      const { done, failure } = writeClaimed(new GensStoreService(job.root), { ...work, rows: unpackColumns(packed) })
      return failure === undefined ? { done } : { done, failure }
    }
  }
}
