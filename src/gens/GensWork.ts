import { generationMetadata } from "../domain/GenerationMetadata.js"
import { type Stage, STAGES } from "../domain/Stage.js"
import { claimRanges, claimsStopped, type Progress, stopClaims } from "../parallel/ClaimLoop.js"
import {
  type PackedTexts,
  type PackedWholeNumbers,
  packLines,
  packTexts,
  packWholeNumber,
  sharedArray,
  TextCodes,
  unpackLines,
  unpackTexts,
  unpackWholeNumbers,
  wholeNumbers
} from "../parallel/Packing.js"
import type { GensStoreService } from "./GensStoreService.js"

// The work a build shares between this thread and the pool's workers (parallel/PoolWorker.ts): metadata to verify or
// to write, claimed from one counter by whichever thread is free, and the packing of the columns a write
// job sends (in parallel/Packing.ts's format). Effect-free: the worker thread runs it too.

/** Items are claimed this many at a time from a shared counter, by whichever thread is free. */
const CLAIM = 256

/** Metadata to verify, shared between threads: items are claimed from `next`, verdicts written in place. */
export interface SharedVerification {
  readonly stage: Stage
  readonly ids: ReadonlyArray<string>
  readonly canonicals: ReadonlyArray<string>
  readonly next: Int32Array
  readonly verdicts: Uint8Array
}

export type { Progress }

/** `SharedVerification` as sent to a worker: its ids and signatures packed (structured cloning costs per value). */
export interface SharedVerificationJob extends Omit<SharedVerification, "ids" | "canonicals"> {
  readonly ids: PackedTexts
  readonly canonicals: PackedTexts
}

/** Packs a verification for a worker (`verdicts` and `next` stay shared). */
export const packVerification = (work: SharedVerification): SharedVerificationJob => ({
  ...work,
  ids: packTexts(work.ids),
  canonicals: packTexts(work.canonicals)
})

/** The verification `packVerification` packed. */
export const unpackVerification = (job: SharedVerificationJob): SharedVerification => ({
  ...job,
  ids: unpackTexts(job.ids),
  canonicals: unpackTexts(job.canonicals)
})

/** Verifies claimed items until none is left or about `budget` are done. */
export const verifyClaimed = (gens: GensStoreService, work: SharedVerification, budget = Infinity): Progress =>
  claimRanges(work.next, work.ids.length, CLAIM, (start, end) => {
    for (let i = start; i < end; i++) {
      work.verdicts[i] = gens.verify(work.stage, work.ids[i]!, work.canonicals[i]!, true)
    }
    return end - start
  }, budget)

/** The membership columns a generation's metadata is made of (plain arrays: they cross to a worker). */
export interface GenerationColumns {
  readonly stage: ReadonlyArray<Stage>
  readonly gen_id: ReadonlyArray<string>
  readonly parent_gen_id: ReadonlyArray<string>
  readonly combo_id: ReadonlyArray<string>
  readonly template_id: ReadonlyArray<string>
  readonly llm_model_id: ReadonlyArray<string>
  readonly replicate: ReadonlyArray<number | bigint>
}

/**
 * `GenerationColumns` as sent to a worker (parallel/Packing.ts): the two id columns as single strings, the
 * other texts as codes into one small list, numbers in shared memory.
 */
export interface PackedColumns {
  readonly rows: number
  readonly stages: Uint8Array
  readonly genIds: string
  readonly parentGenIds: string
  readonly texts: ReadonlyArray<string>
  readonly combo: Int32Array
  readonly template: Int32Array
  readonly llm: Int32Array
  readonly replicate: PackedWholeNumbers
}

/** Packs columns for a worker (gen ids and parent ids hold no newline: they are checked folder names). */
export const packColumns = (rows: GenerationColumns): PackedColumns => {
  const n = rows.gen_id.length
  const texts = new TextCodes()
  const packed = {
    rows: n,
    stages: sharedArray(Uint8Array, n, 1),
    genIds: packLines(rows.gen_id),
    parentGenIds: packLines(rows.parent_gen_id),
    texts: texts.texts,
    combo: sharedArray(Int32Array, n, 4),
    template: sharedArray(Int32Array, n, 4),
    llm: sharedArray(Int32Array, n, 4),
    replicate: wholeNumbers(n)
  }
  for (let i = 0; i < n; i++) {
    packed.stages[i] = STAGES.indexOf(rows.stage[i]!)
    packed.combo[i] = texts.code(rows.combo_id[i]!)
    packed.template[i] = texts.code(rows.template_id[i]!)
    packed.llm[i] = texts.code(rows.llm_model_id[i]!)
    packWholeNumber(packed.replicate, i, rows.replicate[i]!)
  }
  return packed
}

/** The columns `packColumns` packed. */
export const unpackColumns = (packed: PackedColumns): GenerationColumns => {
  const n = packed.rows
  const column = <A>(at: (i: number) => A): Array<A> => {
    const out = new Array<A>(n)
    for (let i = 0; i < n; i++) out[i] = at(i)
    return out
  }
  return {
    stage: column((i) => STAGES[packed.stages[i]!]!),
    gen_id: unpackLines(packed.genIds, n),
    parent_gen_id: unpackLines(packed.parentGenIds, n),
    combo_id: column((i) => packed.texts[packed.combo[i]!]!),
    template_id: column((i) => packed.texts[packed.template[i]!]!),
    llm_model_id: column((i) => packed.texts[packed.llm[i]!]!),
    replicate: unpackWholeNumbers(packed.replicate)
  }
}

/** What became of a generation to write. */
export const WRITTEN = 1
export const EXISTED = 2

/** A failed write, as plain data (it crosses threads). */
export interface WriteFailure {
  readonly path: string
  readonly message: string
}

/**
 * Generations to write, shared between threads: the rows `todo` lists are claimed from `next`, and
 * each one's outcome (`WRITTEN` or `EXISTED`) is recorded in place.
 */
export interface SharedWrites {
  readonly cohortId: string
  /** `template_modes`: the mode of a stage's template (`llm` when absent). */
  readonly modes: Readonly<Record<string, Readonly<Record<string, string>>>>
  readonly rows: GenerationColumns
  readonly todo: Int32Array
  readonly next: Int32Array
  readonly outcomes: Uint8Array
}

/** `SharedWrites` as sent to a worker thread. */
export interface SharedWritesJob extends Omit<SharedWrites, "rows"> {
  readonly packed: PackedColumns
}

/** A template's mode (`llm` when absent): own keys only, so a template named `__proto__` or `constructor` is a name. */
const modeOf = (modes: SharedWrites["modes"], stage: Stage, template: string): string => {
  const ofStage = Object.hasOwn(modes, stage) ? modes[stage] : undefined
  return ofStage !== undefined && Object.hasOwn(ofStage, template) ? ofStage[template]! : "llm"
}

/** Stops every thread writing `work` before its next row (claims after this find nothing). */
export const stopWrites = (work: Pick<SharedWrites, "next">): void => stopClaims(work.next)

/**
 * Writes claimed generations until none is left or about `budget` are done. A failure stops every
 * thread (`stopWrites`) and is returned with the progress.
 */
export const writeClaimed = (
  gens: GensStoreService,
  work: SharedWrites,
  budget = Infinity
): Progress & { readonly failure?: WriteFailure } => {
  const { rows } = work
  let failure: WriteFailure | undefined
  const progress = claimRanges(work.next, work.todo.length, CLAIM, (start, end) => {
    for (let k = start; k < end; k++) {
      if (claimsStopped(work.next)) return k - start
      const i = work.todo[k]!
      const stage = rows.stage[i]!
      const id = rows.gen_id[i]!
      const template = rows.template_id[i]!
      const content = generationMetadata(
        {
          stage,
          gen_id: id,
          parent_gen_id: rows.parent_gen_id[i]!,
          combo_id: rows.combo_id[i]!,
          template_id: template,
          llm_model_id: rows.llm_model_id[i]!,
          replicate: rows.replicate[i]!
        },
        work.cohortId,
        modeOf(work.modes, stage, template)
      )
      try {
        work.outcomes[k] = gens.createMetadata(stage, id, content) ? WRITTEN : EXISTED
      } catch (error) {
        stopWrites(work)
        const e = error as NodeJS.ErrnoException
        failure = { path: e.path ?? gens.metadataFile(stage, id), message: e.message }
        return k - start
      }
    }
    return end - start
  }, budget)
  return failure === undefined ? progress : { ...progress, failure }
}
