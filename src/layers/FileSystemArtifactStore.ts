import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import { type Duration, Effect, Layer, Option } from "effect"
import * as nodeFs from "node:fs"
import { checkCohortId, GEN_ID_PATTERN } from "../domain/CohortId.js"
import type { ColumnTable } from "../domain/Frame.js"
import { generationMetadata } from "../domain/GenerationMetadata.js"
import { isStage, STAGES } from "../domain/Stage.js"
import { ChunkBuffer } from "../engine/ChunkBuffer.js"
import { ArtifactWriteFailed } from "../errors/ArtifactWriteFailed.js"
import { InvalidConstraint } from "../errors/InvalidConstraint.js"
import { prepareAtomically } from "../gens/AtomicFile.js"
import { lockCohort, sweepFormerHolders } from "../gens/CohortLock.js"
import { type GensStore, gensStoreOf } from "../gens/GensStore.js"
import {
  EXISTED,
  type GenerationColumns,
  packColumns,
  type SharedWrites,
  stopWrites,
  writeClaimed,
  WRITTEN
} from "../gens/GensWork.js"
import { sweepPurgeTrash } from "../lifecycle/GenerationFiles.js"
import { sharedCounter } from "../parallel/ClaimLoop.js"
import { type ShareOptions, WorkerPool } from "../parallel/WorkerPool.js"
import { BuildProgress } from "../services/BuildProgress.js"
import { type ArtifactMetadata, MembershipArtifactStore } from "../services/MembershipArtifactStore.js"
import { capturePlatform, dataRootPaths } from "./DataRoot.js"

const ROWS_PER_CHUNK = 50_000

/** A replicate as metadata records it: a whole number ≥ 1 (a bigint beyond 2^31 - 1). */
const isWholeNumber = (value: unknown): boolean =>
  typeof value === "bigint" ? value >= 1n : Number.isInteger(value) && (value as number) >= 1

export { generationMetadata }

/** Below this many generations to write, a worker thread costs more than it saves. */
const PARALLEL_WRITE_MIN = 4_000
/**
 * Metadata files this thread writes between event-loop yields: one claim. A signal (Ctrl-C) is seen only
 * between steps, and both threads stop at their next file once it is: so at most about a claim each is
 * written after it (a step of 2,000 let thousands through).
 */
const WRITE_STEP = 256

/** What an arquero table (arquero 8) has beyond `ColumnTable`: its columns, whether rows are filtered or reordered. */
interface ArqueroColumns {
  column(name: string): unknown
  isFiltered(): boolean
  isOrdered(): boolean
}

/**
 * The values of a table's column in row order, as `table.array(name)` gives them, but without copying
 * them when the table holds them as one array in row order (an arquero table neither filtered nor
 * reordered, as `membershipTable` makes one): a build reads nine columns of 624k rows. The array is read,
 * never written.
 */
export const columnValues = (table: ColumnTable, name: string): ArrayLike<unknown> => {
  const t = table as ColumnTable & Partial<ArqueroColumns>
  if (
    typeof t.column === "function" && typeof t.isFiltered === "function" && typeof t.isOrdered === "function" &&
    !t.isFiltered() && !t.isOrdered()
  ) {
    const values = t.column(name)
    if (Array.isArray(values) && values.length === table.numRows()) return values
  }
  return table.array(name)
}

function* membershipCsvChunks(stages: ArrayLike<string>, ids: ArrayLike<string>): Generator<Uint8Array> {
  const out = new ChunkBuffer()
  out.line("stage,gen_id\n")
  for (let start = 0; start < ids.length; start += ROWS_PER_CHUNK) {
    const end = Math.min(ids.length, start + ROWS_PER_CHUNK)
    for (let i = start; i < end; i++) out.line(`${stages[i]},${ids[i]}\n`)
    yield* out.take()
  }
  out.flush()
  yield* out.take()
}

/** Options of the file-system artifact store: how long a build waits for the cohort's lock. */
export interface ArtifactStoreOptions {
  /** How long to wait for another build of the same cohort before failing with `Locked` (default 60 s). */
  readonly lockWait?: Duration.DurationInput
}

/**
 * Artifacts under a data root: `gens/<stage>/<id>/metadata.json` for each generation
 * that has none yet (never overwritten), then `cohorts/<id>/manifest.json`, then
 * `cohorts/<id>/membership.csv` — each written to a temp file and renamed into place.
 */
export const FileSystemArtifactStore = {
  layer: (
    dataRoot: string,
    options: ArtifactStoreOptions = {}
  ): Layer.Layer<MembershipArtifactStore, never, FileSystem.FileSystem | Path.Path | GensStore> =>
    Layer.effect(
      MembershipArtifactStore,
      Effect.gen(function*() {
        const { fs, path, provide } = yield* capturePlatform
        // Many metadata files to write are shared with the pool's workers, when there is one.
        const pool = yield* Effect.serviceOption(WorkerPool)
        const paths = dataRootPaths(path, dataRoot)
        const gens = yield* gensStoreOf(paths.root)

        const writeGenerations = (
          cohortId: string,
          table: ColumnTable,
          modes: Record<string, Record<string, string>>
        ) =>
          Effect.gen(function*() {
            const column = <A>(name: string): ReadonlyArray<A> => {
              const values = columnValues(table, name) as ArrayLike<A>
              return Array.isArray(values) ? values : Array.from(values)
            }
            const rows: GenerationColumns = {
              stage: column("stage"),
              gen_id: column("gen_id"),
              parent_gen_id: column("parent_gen_id"),
              combo_id: column("combo_id"),
              template_id: column("template_id"),
              llm_model_id: column("llm_model_id"),
              replicate: column("replicate")
            }
            const { gen_id: genId, parent_gen_id: parent, replicate, stage } = rows
            for (let i = 0; i < genId.length; i++) {
              if (!isStage(stage[i]!) || !GEN_ID_PATTERN.test(genId[i]!)) {
                return yield* new InvalidConstraint({
                  reason: "membership row cannot name a generation folder",
                  constraint: "membership-row",
                  cohortId,
                  details: [`stage ${JSON.stringify(stage[i])}, gen_id ${JSON.stringify(genId[i])}`]
                })
              }
              // What metadata records of a row's parent and replicate: a generation id (or none) and a
              // whole number, as every registry and definition makes them.
              if ((parent[i] !== "" && !GEN_ID_PATTERN.test(String(parent[i]))) || !isWholeNumber(replicate[i])) {
                return yield* new InvalidConstraint({
                  reason: "membership row has a parent that is not a generation id, " +
                    "or a replicate that is not a whole number",
                  constraint: "membership-row",
                  cohortId,
                  details: [
                    `gen_id ${genId[i]}, parent_gen_id ${JSON.stringify(parent[i])}, replicate ${
                      typeof replicate[i] === "bigint" ? replicate[i] : JSON.stringify(replicate[i])
                    }`
                  ]
                })
              }
            }
            let existing = 0
            const todo: Array<number> = []
            for (let i = 0; i < genId.length; i++) {
              if (gens.hasMetadata(stage[i]!, genId[i]!)) existing++
              else todo.push(i)
            }
            for (const s of STAGES) {
              yield* Effect.try({
                try: () => nodeFs.mkdirSync(gens.stageDir(s), { recursive: true }),
                catch: (error) => {
                  const e = error as NodeJS.ErrnoException
                  return new ArtifactWriteFailed({ path: e.path ?? gens.stageDir(s), cause: e.message })
                }
              })
            }
            const todoShared = new Int32Array(new SharedArrayBuffer(todo.length * 4))
            todoShared.set(todo)
            const work: SharedWrites = {
              cohortId,
              modes,
              rows,
              todo: todoShared,
              next: sharedCounter(),
              outcomes: new Uint8Array(new SharedArrayBuffer(todo.length))
            }
            // The kernel's work for each folder and file is most of a fresh build: a worker thread takes
            // half of it when there is much (both claim from one counter). Synchronous writes in chunks:
            // interruption lands between chunks, never inside a write.
            const progress = yield* Effect.serviceOption(BuildProgress)
            const report = () =>
              Option.map(
                progress,
                (p) => p.update("writing metadata", Math.min(Atomics.load(work.next, 0), todo.length), todo.length)
              )
            const share: ShareOptions = {
              kind: "write",
              items: todo.length,
              parallel: todo.length >= PARALLEL_WRITE_MIN,
              job: () => ({
                kind: "write",
                root: gens.root,
                work: {
                  cohortId,
                  modes,
                  todo: work.todo,
                  next: work.next,
                  outcomes: work.outcomes,
                  packed: packColumns(rows)
                }
              }),
              step: () => {
                const done = writeClaimed(gens, work, WRITE_STEP)
                report()
                return done
              },
              stop: () => stopWrites(work)
            }
            const shared = yield* WorkerPool.shareOn(pool, share)
            if (todo.length > 0) {
              const by = `${shared.byThisThread + shared.byWorkers} done, ${shared.byWorkers} by worker threads`
              yield* Effect.logDebug(`gens: ${todo.length} metadata files to write, ${by}`)
            }
            if (shared.failure !== undefined) {
              return yield* new ArtifactWriteFailed({ path: shared.failure.path, cause: shared.failure.message })
            }
            let written = 0
            for (const outcome of work.outcomes) {
              if (outcome === WRITTEN) written++
              else if (outcome === EXISTED) existing++
            }
            return { written, existing }
          })

        const persist = Effect.fn("FileSystemArtifactStore.persistMembership")(function*(
          cohortId: string,
          table: ColumnTable,
          metadata: ArtifactMetadata
        ) {
          const bad = checkCohortId(cohortId)
          if (bad !== undefined) return yield* bad
          const modes: Readonly<Record<string, Readonly<Record<string, string>>>> = metadata.template_modes ?? {}
          const manifest = metadata.manifest
          // A caller without types (JavaScript) may still leave it out.
          if (manifest === undefined) {
            return yield* new InvalidConstraint({
              reason: "metadata carries no manifest to write",
              constraint: "manifest-missing",
              cohortId
            })
          }
          const cohortDir = paths.cohortDir(cohortId)
          yield* fs.makeDirectory(cohortDir, { recursive: true }).pipe(
            Effect.mapError((e) => new ArtifactWriteFailed({ path: cohortDir, cause: e.message }))
          )
          // Builds of one cohort persist one at a time (the lock is released on any exit).
          const lock = yield* lockCohort(cohortDir, options.lockWait)
          yield* sweepFormerHolders(cohortDir, lock.former)
          const trash = sweepPurgeTrash(paths.root)
          if (trash > 0) yield* Effect.logDebug(`removed ${trash} trash folders of an interrupted purge`)
          // Manifest and membership are written (to temp files) before any generation, so that a
          // failure there leaves nothing behind; they are renamed into place only at the end.
          const manifestPath = path.join(cohortDir, "manifest.json")
          const membershipPath = path.join(cohortDir, "membership.csv")
          const preparedManifest = yield* provide(prepareAtomically(manifestPath, [JSON.stringify(manifest, null, 2)]))
          const preparedMembership = yield* provide(prepareAtomically(
            membershipPath,
            membershipCsvChunks(
              columnValues(table, "stage") as ArrayLike<string>,
              columnValues(table, "gen_id") as ArrayLike<string>
            )
          ))
          const gens = yield* writeGenerations(cohortId, table, modes)
          // A build whose lock was taken over meanwhile (its heartbeat stopped) commits nothing.
          yield* lock.stillHeld
          yield* preparedManifest.commit
          yield* preparedMembership.commit
          return {
            membership: membershipPath,
            manifest: manifestPath,
            gens: path.join(paths.root, "gens"),
            generations_written: String(gens.written),
            generations_existing: String(gens.existing)
          }
        })

        return MembershipArtifactStore.of({
          persistMembership: (cohortId, table, metadata) => Effect.scoped(persist(cohortId, table, metadata))
        })
      })
    )
}
