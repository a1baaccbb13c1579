import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { Effect } from "effect"
import type { Stage } from "../domain/Stage.js"

/** The data root layout (REFERENCE §2). */
export const dataRootPaths = (path: Path.Path, dataRoot: string) => {
  const root = path.resolve(dataRoot)
  return {
    root,
    raw: (file: string) => path.join(root, "1_raw", file),
    comboMappings: path.join(root, "combo_mappings.csv"),
    cohortDir: (cohortId: string) => path.join(root, "cohorts", cohortId),
    specFile: (cohortId: string) => path.join(root, "cohorts", cohortId, "spec", "config.yaml"),
    gensStage: (stage: Stage) => path.join(root, "gens", stage),
    genDir: (stage: Stage, genId: string) => path.join(root, "gens", stage, genId),
    metadataFile: (stage: Stage, genId: string) => path.join(root, "gens", stage, genId, "metadata.json")
  }
}
export type DataRootPaths = ReturnType<typeof dataRootPaths>

/**
 * The file system and path services a layer was built with, captured so its methods can run effects
 * that need them without passing the requirement on to their callers.
 */
export const capturePlatform = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const provide = <A, E, R>(
    effect: Effect.Effect<A, E, R>
  ): Effect.Effect<A, E, Exclude<Exclude<R, FileSystem.FileSystem>, Path.Path>> =>
    effect.pipe(Effect.provideService(FileSystem.FileSystem, fs), Effect.provideService(Path.Path, path))
  return { fs, path, provide }
})
