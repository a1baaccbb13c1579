import { FileSystem, Path } from "@effect/platform"
import type { ColumnTable } from "arquero"
import { Effect, Layer } from "effect"
import { checkCohortId, GEN_ID_PATTERN } from "../domain/CohortId.js"
import { isStage, type Stage } from "../domain/Stage.js"
import { ArtifactWriteFailed } from "../errors/ArtifactWriteFailed.js"
import { InvalidConstraint } from "../errors/InvalidConstraint.js"
import { MembershipArtifactStore } from "../services/MembershipArtifactStore.js"
import { createAtomically, writeAtomically } from "./AtomicFile.js"
import { dataRootPaths } from "./DataRoot.js"

/** Metadata files written at once; bounded so that a large cohort does not exhaust file handles. */
export const WRITE_CONCURRENCY = 64

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

function* membershipCsvChunks(stages: ArrayLike<string>, ids: ArrayLike<string>): Generator<string> {
  yield "stage,gen_id\n"
  for (let start = 0; start < ids.length; start += ROWS_PER_CHUNK) {
    let chunk = ""
    const end = Math.min(ids.length, start + ROWS_PER_CHUNK)
    for (let i = start; i < end; i++) chunk += `${stages[i]},${ids[i]}\n`
    yield chunk
  }
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
        const fs = yield* FileSystem.FileSystem
        const path = yield* Path.Path
        const paths = dataRootPaths(path, dataRoot)
        const provide = <A, E>(effect: Effect.Effect<A, E, FileSystem.FileSystem | Path.Path>) =>
          effect.pipe(Effect.provideService(FileSystem.FileSystem, fs), Effect.provideService(Path.Path, path))

        const writeGenerations = (cohortId: string, table: ColumnTable, modes: Record<string, Record<string, string>>) =>
          Effect.gen(function*() {
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
            // Ids with a folder already may have metadata; all others certainly need it.
            const listed = new Map<Stage, Set<string>>()
            for (const s of ["draft", "essay", "evaluation"] as const) {
              const names = yield* Effect.orElseSucceed(fs.readDirectory(paths.gensStage(s)), () => [] as Array<string>)
              listed.set(s, new Set(names))
            }
            let written = 0
            let existing = 0
            const indexes = Array.from({ length: genId.length }, (_, i) => i)
            yield* Effect.forEach(indexes, (i) =>
              Effect.gen(function*() {
                const s = stage[i]!
                const id = genId[i]!
                const file = paths.metadataFile(s, id)
                if (listed.get(s)!.has(id) && (yield* Effect.orElseSucceed(fs.exists(file), () => false))) {
                  existing++
                  return
                }
                yield* fs.makeDirectory(paths.genDir(s, id), { recursive: true }).pipe(
                  Effect.mapError((e) => new ArtifactWriteFailed({ path: paths.genDir(s, id), cause: e.message }))
                )
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
                if (yield* provide(createAtomically(file, content))) written++
                else existing++
              }), { concurrency: WRITE_CONCURRENCY, discard: true })
            return { written, existing }
          })

        return MembershipArtifactStore.of({
          persistMembership: Effect.fn("FileSystemArtifactStore.persistMembership")(function*(cohortId, table, metadata) {
            const bad = checkCohortId(cohortId)
            if (bad !== undefined) return yield* bad
            const modes = (metadata["template_modes"] ?? {}) as Record<string, Record<string, string>>
            const manifest = metadata["manifest"]
            if (manifest === undefined) {
              return yield* new InvalidConstraint({ reason: "metadata carries no manifest to write", cohortId })
            }
            const gens = yield* writeGenerations(cohortId, table, modes)
            const cohortDir = paths.cohortDir(cohortId)
            yield* fs.makeDirectory(cohortDir, { recursive: true }).pipe(
              Effect.mapError((e) => new ArtifactWriteFailed({ path: cohortDir, cause: e.message }))
            )
            const manifestPath = path.join(cohortDir, "manifest.json")
            yield* provide(writeAtomically(manifestPath, [JSON.stringify(manifest, null, 2)]))
            const membershipPath = path.join(cohortDir, "membership.csv")
            yield* provide(writeAtomically(
              membershipPath,
              membershipCsvChunks(table.array("stage") as ArrayLike<string>, table.array("gen_id") as ArrayLike<string>)
            ))
            return {
              membership: membershipPath,
              manifest: manifestPath,
              gens: path.join(paths.root, "gens"),
              generations_written: String(gens.written),
              generations_existing: String(gens.existing)
            }
          })
        })
      })
    )
}
