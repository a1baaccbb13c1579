import { Deferred, Effect, Exit, Layer, Option } from "effect"
import { type GenIdHasher, GenIdHasher as SharedHasher } from "../domain/GenId.js"
import { draftSignature, essaySignature, evaluationSignature, signatureOfMetadata } from "../domain/Signature.js"
import type { Stage } from "../domain/Stage.js"
import { entryCount } from "../engine/DefinitionColumns.js"
import { IdCollision } from "../errors/IdCollision.js"
import { GensStore, SYNC_CHUNK } from "../gens/GensStore.js"
import type { GensStoreService } from "../gens/GensStoreService.js"
import { packVerification, verifyClaimed } from "../gens/GensWork.js"
import { Unreadable } from "../gens/MetadataReader.js"
import { OTHER, SAME, UNREADABLE } from "../gens/MetadataVerdict.js"
import { sharedCounter, stopClaims } from "../parallel/ClaimLoop.js"
import { type ShareOptions, WorkerPool } from "../parallel/WorkerPool.js"
import { BuildProgress } from "../services/BuildProgress.js"
import type { GenerationRegistry, StageBatch } from "../services/GenerationRegistry.js"
import { RegistryFactory } from "../services/RegistryFactory.js"

export { signatureOfMetadata }

/** Below this many existing folders in a batch, a worker thread costs more than it saves. */
const PARALLEL_VERIFY_MIN = 4_000
/**
 * A definition of this many entries shares its metadata reads (a rerun) or writes (a fresh build) with
 * the pool's workers: they are started with the registry, so that they load while the ids are made.
 */
const WARM_POOL_ENTRIES = 4_000

/** Candidates tried per signature: the plain id, then `-1` … `-4` (as the original). */
export const MAX_ID_ATTEMPTS = 5

/**
 * A registry that resolves collisions against `gens/<stage>/<id>/metadata.json` of `gens` (the data
 * root's `GensStore`, handed in explicitly): an id whose metadata records another signature is skipped for
 * `-1` … `-4`. It only reads; the artifact store creates folders and files.
 */
export const makeDiskRegistry = (
  gens: GensStoreService,
  pool: Option.Option<WorkerPool["Type"]> = Option.none()
): Effect.Effect<GenerationRegistry> =>
  Effect.gen(function*() {
    const hasher: GenIdHasher = yield* SharedHasher
    // A new registry starts a new build: what an earlier build saw of the store may be stale.
    gens.reset()
    // Unreadable metadata (not a regular file, not JSON, no signature) counts as another signature's, as
    // in the original; each one is a validation warning, so that validate and --strict fail on it.
    const unreadable = new Map<string, string>()
    const note = (stage: Stage, id: string, problem: Unreadable) => {
      const file = gens.metadataFile(stage, id)
      unreadable.set(
        file,
        `gens metadata ${file} is unreadable (${problem.reason}): counted as another generation's, the next id is used`
      )
    }
    /** The id of a signature: the first candidate (from attempt `from` on) that is free or its own. */
    const resolve = (stage: Stage, canonical: string, from = 0): string | IdCollision => {
      const attempts: Array<string> = []
      for (let i = 0; i < MAX_ID_ATTEMPTS; i++) {
        const id = hasher.idOf(stage, canonical, i)
        attempts.push(id)
        if (i < from) continue
        const verdict = gens.examine(stage, id, canonical)
        if (verdict instanceof Unreadable) note(stage, id, verdict)
        else if (verdict !== OTHER) return id
      }
      return new IdCollision({ stage, signature: canonical, attempts })
    }
    // Progress counts a stage's metadata reads over all its batches, which may overlap.
    const reads: Record<Stage, StageReads> = { draft: stageReads(), essay: stageReads(), evaluation: stageReads() }
    // Whether a stage reads its metadata directly (a rerun) or through a listing: its first batch decides.
    const direct: Partial<Record<Stage, boolean>> = {}
    // The batches' results are taken in the order the batches were asked for (`overlappingBatches`): the
    // collisions resolved and the warnings noted as one batch after another.
    let lastTurn: Deferred.Deferred<void, IdCollision> | undefined
    const reserve = (stage: Stage, canonical: string) =>
      Effect.suspend(() => {
        const id = resolve(stage, canonical)
        return typeof id === "string" ? Effect.succeed(id) : Effect.fail(id)
      })
    /** One batch of `reserveMany`; its results taken once `previous` (the batch asked for before it) took its. */
    const reserveBatch = (
      stage: Stage,
      canonicals: ReadonlyArray<string>,
      batch: StageBatch | undefined,
      previous: Deferred.Deferred<void, IdCollision> | undefined
    ): Effect.Effect<ReadonlyArray<string>, IdCollision> =>
      Effect.gen(function*() {
        const ids: Array<string> = new Array(canonicals.length)
        for (let i = 0; i < canonicals.length; i++) ids[i] = hasher.idOf(stage, canonicals[i]!)
        // A rerun reads every id's metadata directly; otherwise the ids whose folder is listed.
        let listed: Array<number>
        const readsDirectly = direct[stage] ??= gens.readsDirectly(stage, ids)
        if (readsDirectly) {
          listed = Array.from(ids, (_, i) => i)
          yield* Effect.logDebug(`gens: ${stage} metadata read directly (most of it exists), without a listing`)
        } else {
          const pending = gens.pendingListing(stage)
          if (pending !== undefined) yield* Effect.promise(() => pending)
          const listing = gens.listing(stage)
          listed = []
          for (let i = 0; i < ids.length; i++) if (listing.has(ids[i]!)) listed.push(i)
        }
        const request = {
          stage,
          ids: listed.map((i) => ids[i]!),
          canonicals: listed.map((i) => canonicals[i]!),
          next: sharedCounter(),
          verdicts: new Uint8Array(new SharedArrayBuffer(listed.length))
        }
        const progress = yield* Effect.serviceOption(BuildProgress)
        const stageReads = reads[stage]
        const reading = stageReads.begin(request.next, listed.length, canonicals.length, batch)
        const report = () =>
          Option.map(progress, (p) => {
            const now = stageReads.now(readsDirectly)
            p.update(`existing ${stage} metadata`, now.done, now.total, now.more)
          })
        // This thread claims items too, a few at a time between yields (interruptible).
        const share: ShareOptions = {
          kind: "verify",
          stage,
          items: listed.length,
          parallel: listed.length >= PARALLEL_VERIFY_MIN,
          job: () => ({ kind: "verify", root: gens.root, work: packVerification(request) }),
          step: () => {
            const done = verifyClaimed(gens, request, SYNC_CHUNK)
            report()
            return done
          },
          stop: () => stopClaims(request.next)
        }
        const shared = yield* WorkerPool.shareOn(pool, share).pipe(Effect.ensuring(Effect.sync(reading.end)))
        if (listed.length > 0) {
          report()
          yield* Effect.logDebug(
            `gens: ${listed.length} ${stage} metadata files read, ${shared.byWorkers} by worker threads`
          )
        }
        if (previous !== undefined) yield* Deferred.await(previous)
        const verdicts = request.verdicts
        for (let k = 0; k < listed.length; k++) {
          if (verdicts[k] === SAME) gens.markPresent(stage, request.ids[k]!)
        }
        // A folder holding another signature's metadata: the next candidates, as the original.
        for (let k = 0; k < listed.length; k++) {
          if (verdicts[k] !== OTHER && verdicts[k] !== UNREADABLE) continue
          const i = listed[k]!
          if (verdicts[k] === UNREADABLE) {
            // The worker says only that it was unreadable: the reason is read again here (rare).
            const again = gens.examine(stage, ids[i]!, canonicals[i]!, true)
            note(stage, ids[i]!, again instanceof Unreadable ? again : new Unreadable("changed while read"))
          }
          const id = resolve(stage, canonicals[i]!, 1)
          if (typeof id !== "string") return yield* id
          ids[i] = id
        }
        return ids as ReadonlyArray<string>
      })
    return {
      // Ids resolve collisions against the store: never made without asking this registry.
      pureIds: false,
      overlappingBatches: true,
      reserveDraftId: (r) => reserve("draft", draftSignature(r.comboId, r.templateId, r.llmModelId, r.replicate)),
      reserveEssayId: (r) => reserve("essay", essaySignature(r.draftGenId, r.templateId, r.replicate)),
      reserveEvaluationId: (r) =>
        reserve("evaluation", evaluationSignature(r.essayGenId, r.templateId, r.llmModelId, r.replicate)),
      // Ids of a batch: hashed, then the ones whose folder exists verified against their metadata (the
      // reads of a rerun are most of its time: half of them go to a worker thread when there are many).
      // Batches take their turns in the order their calls start running (a build forks each one before
      // it yields for the one before). A batch that fails or is interrupted fails its turn: the batches
      // after it stop where they wait for it, taking nothing (as if never asked for). A call made once
      // the last turn has ended starts a new chain: a registry asked again after a failure answers anew.
      reserveMany: (stage, canonicals, batch) =>
        Effect.uninterruptibleMask((restore) =>
          Effect.gen(function*() {
            const previous = lastTurn
            const turn = lastTurn = yield* Deferred.make<void, IdCollision>()
            return yield* restore(reserveBatch(stage, canonicals, batch, previous)).pipe(
              Effect.onExit((exit) =>
                Effect.zipRight(
                  Deferred.done(turn, Exit.asVoid(exit)),
                  Effect.sync(() => {
                    if (lastTurn === turn) lastTurn = undefined
                  })
                )
              )
            )
          })
        ),
      warnings: () => [...unreadable.values()]
    } satisfies GenerationRegistry
  })

/** The metadata reads of one stage's batches: one count over the stage, whichever batches are under way. */
interface StageReads {
  /** A batch starts reading `items` files (claimed from `next`), of its `size` ids; `end` once it stopped. */
  readonly begin: (
    next: Int32Array,
    items: number,
    size: number,
    batch: StageBatch | undefined
  ) => { readonly end: () => void }
  /**
   * Files read so far, of how many: reading directly every id left in the stage is read (the total is
   * known from the first batch); through a listing, later batches add the ids they find listed (`more`).
   */
  readonly now: (direct: boolean) => { readonly done: number; readonly total: number; readonly more: boolean }
}

const stageReads = (): StageReads => {
  let finished = 0
  let started = 0
  let reached = 0
  let stageSize = 0
  const underWay = new Set<{ readonly next: Int32Array; readonly items: number }>()
  return {
    begin: (next, items, size, batch) => {
      started += items
      reached += size
      stageSize = Math.max(stageSize, batch?.total ?? reached, reached)
      const reading = { next, items }
      underWay.add(reading)
      return {
        end: () => {
          if (!underWay.delete(reading)) return
          finished += items
        }
      }
    },
    now: (direct) => {
      let done = finished
      for (const r of underWay) done += Math.min(Math.max(Atomics.load(r.next, 0), 0), r.items)
      return direct
        ? { done, total: started + stageSize - reached, more: false }
        : { done, total: started, more: reached < stageSize }
    }
  }
}

/** `RegistryFactory` over the `GensStore` of a data root (`dataRootLayer` provides both). */
export const DiskRegistryFactory = {
  /** Shares the verification of many existing metadata files with the `WorkerPool`'s workers, when there is one. */
  layer: Layer.effect(
    RegistryFactory,
    Effect.gen(function*() {
      const gens = yield* GensStore
      const pool = yield* Effect.serviceOption(WorkerPool)
      return RegistryFactory.of({
        createRegistry: Effect.fn("DiskRegistryFactory.createRegistry")(function*(spec) {
          // A worker takes ~0.3 s (more on a loaded machine) to load: started now, it is ready for the
          // first large batch of reads, or for the writes after the ids and the table.
          if (
            Option.isSome(pool) && spec.definition !== undefined && entryCount(spec.definition) >= WARM_POOL_ENTRIES
          ) {
            yield* pool.value.warm
          }
          return yield* makeDiskRegistry(gens, pool)
        })
      })
    })
  ) satisfies Layer.Layer<RegistryFactory, never, GensStore>
}
