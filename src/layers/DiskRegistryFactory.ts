import { Effect, Layer, Option } from "effect"
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
import type { GenerationRegistry } from "../services/GenerationRegistry.js"
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
    // Metadata files verified in earlier batches of each stage: progress counts the stage, not the batch.
    const verifiedBefore: Record<Stage, number> = { draft: 0, essay: 0, evaluation: 0 }
    const reserve = (stage: Stage, canonical: string) =>
      Effect.suspend(() => {
        const id = resolve(stage, canonical)
        return typeof id === "string" ? Effect.succeed(id) : Effect.fail(id)
      })
    return {
      // Ids resolve collisions against the store: never made without asking this registry.
      pureIds: false,
      reserveDraftId: (r) => reserve("draft", draftSignature(r.comboId, r.templateId, r.llmModelId, r.replicate)),
      reserveEssayId: (r) => reserve("essay", essaySignature(r.draftGenId, r.templateId, r.replicate)),
      reserveEvaluationId: (r) =>
        reserve("evaluation", evaluationSignature(r.essayGenId, r.templateId, r.llmModelId, r.replicate)),
      // Ids of a batch: hashed, then the ones whose folder exists verified against their metadata (the
      // reads of a rerun are most of its time: half of them go to a worker thread when there are many).
      reserveMany: (stage, canonicals, batch) =>
        Effect.gen(function*() {
          const ids: Array<string> = new Array(canonicals.length)
          for (let i = 0; i < canonicals.length; i++) ids[i] = hasher.idOf(stage, canonicals[i]!)
          // A rerun reads every id's metadata directly; otherwise the ids whose folder is listed.
          let listed: Array<number>
          const direct = gens.readsDirectly(stage, ids)
          if (direct) {
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
          const before = verifiedBefore[stage]
          // Reading directly (sticky for the stage), every id left in the stage is read: the stage's total is
          // known. Through a listing, later batches add the ids they find listed: a total so far.
          const rest = batch === undefined ? canonicals.length : batch.total - batch.start
          const total = before + (direct ? Math.max(rest, listed.length) : listed.length)
          const more = !direct && rest > canonicals.length
          const report = () =>
            Option.map(progress, (p) =>
              p.update(
                `existing ${stage} metadata`,
                before + Math.min(Atomics.load(request.next, 0), listed.length),
                total,
                more
              ))
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
          const shared = yield* WorkerPool.shareOn(pool, share)
          verifiedBefore[stage] = before + listed.length
          if (listed.length > 0) {
            report()
            yield* Effect.logDebug(
              `gens: ${listed.length} ${stage} metadata files read, ${shared.byWorkers} by worker threads`
            )
          }
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
          return ids
        }),
      warnings: () => [...unreadable.values()]
    } satisfies GenerationRegistry
  })

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
