import { generationMetadata } from "../domain/GenerationMetadata.js"
import { type Stage, STAGES } from "../domain/Stage.js"
import { claimRanges, claimsStopped, type Progress, stopClaims } from "../parallel/ClaimLoop.js"
import type { GensStoreService } from "./GensStoreService.js"

// The work a build shares between this thread and the pool's workers (parallel/PoolWorker.ts): metadata to verify or
// to write, claimed from one counter by whichever thread is free, and the packing of the columns a write
// job sends. Effect-free: the worker thread runs it too.

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
 * `GenerationColumns` as sent to a worker: the two id columns as single strings, the other texts as
 * codes into one small list, numbers in shared memory. Structured-cloning 4.4M strings (seven columns
 * of 624k rows) cost the worker ~0.7 s before its first write; this costs it ~0.1 s.
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
  /** A replicate, or -(k + 1) for `bigReplicates[k]` (beyond 2^31 - 1; bigints survive structured cloning). */
  readonly replicate: Float64Array
  readonly bigReplicates?: ReadonlyArray<bigint>
}

/** Packs columns for a worker (gen ids and parent ids hold no newline: they are checked folder names). */
export const packColumns = (rows: GenerationColumns): PackedColumns => {
  const n = rows.gen_id.length
  const shared = <A>(make: new(buffer: SharedArrayBuffer) => A, bytes: number): A =>
    new make(new SharedArrayBuffer(n * bytes))
  const texts: Array<string> = []
  const codes = new Map<string, number>()
  const code = (text: string): number => {
    let c = codes.get(text)
    if (c === undefined) codes.set(text, c = texts.push(text) - 1)
    return c
  }
  const packed = {
    rows: n,
    stages: shared(Uint8Array, 1),
    genIds: rows.gen_id.join("\n"),
    parentGenIds: rows.parent_gen_id.join("\n"),
    texts,
    combo: shared(Int32Array, 4),
    template: shared(Int32Array, 4),
    llm: shared(Int32Array, 4),
    replicate: shared(Float64Array, 8),
    bigReplicates: [] as Array<bigint>
  }
  for (let i = 0; i < n; i++) {
    packed.stages[i] = STAGES.indexOf(rows.stage[i]!)
    packed.combo[i] = code(rows.combo_id[i]!)
    packed.template[i] = code(rows.template_id[i]!)
    packed.llm[i] = code(rows.llm_model_id[i]!)
    const r = rows.replicate[i]!
    packed.replicate[i] = typeof r === "number" ? r : -packed.bigReplicates.push(r)
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
  const split = (joined: string) => {
    const values = n === 0 ? [] : joined.split("\n")
    if (values.length !== n) throw new Error(`packed ids: ${values.length} for ${n} rows (an id held a newline)`)
    return values
  }
  return {
    stage: column((i) => STAGES[packed.stages[i]!]!),
    gen_id: split(packed.genIds),
    parent_gen_id: split(packed.parentGenIds),
    combo_id: column((i) => packed.texts[packed.combo[i]!]!),
    template_id: column((i) => packed.texts[packed.template[i]!]!),
    llm_model_id: column((i) => packed.texts[packed.llm[i]!]!),
    replicate: Array.from(packed.replicate, (r) => (r < 0 ? packed.bigReplicates![-r - 1]! : r))
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
