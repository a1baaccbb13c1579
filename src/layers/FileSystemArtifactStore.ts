import { FileSystem, Path } from "@effect/platform"
import type { ColumnTable } from "arquero"
import { Effect, Layer } from "effect"
import { checkCohortId, GEN_ID_PATTERN } from "../domain/CohortId.js"
import { isStage, type Stage } from "../domain/Stage.js"
import { ArtifactWriteFailed } from "../errors/ArtifactWriteFailed.js"
import { InvalidConstraint } from "../errors/InvalidConstraint.js"
import { MembershipArtifactStore } from "../services/MembershipArtifactStore.js"
import { prepareAtomically, sweepStaleTemps } from "./AtomicFile.js"
import { ChunkBuffer } from "./ChunkBuffer.js"
import { lockCohort } from "./CohortLock.js"
import * as nodeFs from "node:fs"
import { capturePlatform, dataRootPaths } from "./DataRoot.js"
import { gensDirectoryFor, SYNC_CHUNK, yieldToEventLoop } from "./GensStore.js"

const ROWS_PER_CHUNK = 50_000

/** `gens/<stage>/<gen_id>/metadata.json` of one membership row, key order as the original writes it. */
export const generationMetadata = (
  row: {
    stage: Stage
    gen_id: string
    parent_gen_id: string
    combo_id: string
    template_id: string
    llm_model_id: string
    replicate: number
  },
  cohortId: string,
  mode: string
): string => {
  const m: Record<string, unknown> = { stage: row.stage, gen_id: row.gen_id, origin_cohort_id: cohortId, mode }
  if (row.template_id !== "") m["template_id"] = row.template_id
  if (row.stage === "draft" && row.combo_id !== "") m["combo_id"] = row.combo_id
  if (row.parent_gen_id !== "") m["parent_gen_id"] = row.parent_gen_id
  if (row.llm_model_id !== "") m["llm_model_id"] = row.llm_model_id
  m["replicate"] = row.replicate
  return JSON.stringify(m, null, 2)
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

/**
 * Artifacts under a data root (REFERENCE §8): `gens/<stage>/<id>/metadata.json` for each generation
 * that has none yet (never overwritten), then `cohorts/<id>/manifest.json`, then
 * `cohorts/<id>/membership.csv` — each written to a temp file and renamed into place.
 */
export const FileSystemArtifactStore = {
  layer: (dataRoot: string): Layer.Layer<MembershipArtifactStore, never, FileSystem.FileSystem | Path.Path> =>
    Layer.effect(
      MembershipArtifactStore,
      Effect.gen(function*() {
        const { fs, path, provide } = yield* capturePlatform
        const paths = dataRootPaths(path, dataRoot)

        const writeGenerations = (cohortId: string, table: ColumnTable, modes: Record<string, Record<string, string>>) =>
          Effect.gen(function*() {
            const gens = yield* gensDirectoryFor(dataRoot)
            const stage = table.array("stage") as ArrayLike<Stage>
            const genId = table.array("gen_id") as ArrayLike<string>
            const parent = table.array("parent_gen_id") as ArrayLike<string>
            const combo = table.array("combo_id") as ArrayLike<string>
            const template = table.array("template_id") as ArrayLike<string>
            const llm = table.array("llm_model_id") as ArrayLike<string>
            const replicate = table.array("replicate") as ArrayLike<number>
            for (let i = 0; i < genId.length; i++) {
              if (!isStage(stage[i]!) || !GEN_ID_PATTERN.test(genId[i]!)) {
                return yield* new InvalidConstraint({
                  reason: "membership row cannot name a generation folder",
                  cohortId,
                  details: [`stage ${JSON.stringify(stage[i])}, gen_id ${JSON.stringify(genId[i])}`]
                })
              }
            }
            let written = 0
            let existing = 0
            let failure: ArtifactWriteFailed | undefined
            const write = (i: number) => {
              const s = stage[i]!
              const id = genId[i]!
              if (gens.hasMetadata(s, id)) {
                existing++
                return
              }
              const content = generationMetadata(
                {
                  stage: s,
                  gen_id: id,
                  parent_gen_id: parent[i]!,
                  combo_id: combo[i]!,
                  template_id: template[i]!,
                  llm_model_id: llm[i]!,
                  replicate: replicate[i]!
                },
                cohortId,
                modes[s]?.[template[i]!] ?? "llm"
              )
              try {
                if (gens.createMetadata(s, id, content)) written++
                else existing++
              } catch (error) {
                const e = error as NodeJS.ErrnoException
                failure = new ArtifactWriteFailed({ path: e.path ?? gens.metadataFile(s, id), cause: e.message })
              }
            }
            for (const s of ["draft", "essay", "evaluation"] as const) {
              yield* Effect.try({
                try: () => nodeFs.mkdirSync(gens.stageDir(s), { recursive: true }),
                catch: (error) => {
                  const e = error as NodeJS.ErrnoException
                  return new ArtifactWriteFailed({ path: e.path ?? gens.stageDir(s), cause: e.message })
                }
              })
            }
            // Synchronous writes in chunks: interruption lands between chunks, never inside a write.
            for (let start = 0; start < genId.length; start += SYNC_CHUNK) {
              const end = Math.min(genId.length, start + SYNC_CHUNK)
              yield* Effect.sync(() => {
                for (let i = start; i < end && failure === undefined; i++) write(i)
              })
              if (failure !== undefined) return yield* failure
              yield* yieldToEventLoop
            }
            return { written, existing }
          })

        const persist = Effect.fn("FileSystemArtifactStore.persistMembership")(function*(
          cohortId: string,
          table: ColumnTable,
          metadata: Readonly<Record<string, unknown>>
        ) {
          const bad = checkCohortId(cohortId)
          if (bad !== undefined) return yield* bad
          const modes = (metadata["template_modes"] ?? {}) as Record<string, Record<string, string>>
          const manifest = metadata["manifest"]
          if (manifest === undefined) {
            return yield* new InvalidConstraint({ reason: "metadata carries no manifest to write", cohortId })
          }
          const cohortDir = paths.cohortDir(cohortId)
          yield* fs.makeDirectory(cohortDir, { recursive: true }).pipe(
            Effect.mapError((e) => new ArtifactWriteFailed({ path: cohortDir, cause: e.message }))
          )
          // Builds of one cohort persist one at a time (the lock is released on any exit).
          yield* lockCohort(cohortDir)
          yield* sweepStaleTemps(cohortDir)
          // Manifest and membership are written (to temp files) before any generation, so that a
          // failure there leaves nothing behind; they are renamed into place only at the end.
          const manifestPath = path.join(cohortDir, "manifest.json")
          const membershipPath = path.join(cohortDir, "membership.csv")
          const preparedManifest = yield* provide(prepareAtomically(manifestPath, [JSON.stringify(manifest, null, 2)]))
          const preparedMembership = yield* provide(prepareAtomically(
            membershipPath,
            membershipCsvChunks(table.array("stage") as ArrayLike<string>, table.array("gen_id") as ArrayLike<string>)
          ))
          const gens = yield* writeGenerations(cohortId, table, modes)
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
