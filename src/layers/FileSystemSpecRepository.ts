import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import { Effect, Layer } from "effect"
import { checkCohortId } from "../domain/CohortId.js"
import { specProblems } from "../dsl/CheckSpec.js"
import { parseSpec } from "../dsl/ParseSpec.js"
import { cohortSpecOf, type CompileSpecOptions } from "../dsl/SpecObject.js"
import { suggest } from "../dsl/Suggest.js"
import { SpecNotFound } from "../errors/SpecNotFound.js"
import { type GensStore, gensStoreOf } from "../gens/GensStore.js"
import { CohortSpecRepository } from "../services/CohortSpecRepository.js"
import { capturePlatform, dataRootPaths } from "./DataRoot.js"

export { DEFAULT_MAX_ROWS } from "../dsl/CompileDesign.js"

/** Options of `FileSystemSpecRepository.layer` (and of `DataRootLayer.layer`). */
export interface SpecRepositoryOptions extends CompileSpecOptions {
  /** `@file:` includes may reach anywhere under this folder (default: each spec's own folder). */
  readonly includeRoot?: string
}

/**
 * Specs read from `cohorts/<id>/spec/config.yaml` under a data root, parsed, compiled and turned into
 * a definition. Spec path, hash and includes go into the metadata. Rows reusing generations by id read
 * their metadata through the data root's `GensStore` (from context: `DataRootLayer.layer` provides it).
 */
export const FileSystemSpecRepository = {
  layer: (
    dataRoot: string,
    options: SpecRepositoryOptions = {}
  ): Layer.Layer<CohortSpecRepository, never, FileSystem.FileSystem | Path.Path | GensStore> =>
    Layer.effect(
      CohortSpecRepository,
      Effect.gen(function*() {
        const { fs, path, provide } = yield* capturePlatform
        const paths = dataRootPaths(path, dataRoot)
        const gens = yield* gensStoreOf(paths.root)
        const isDirectory = (dir: string) =>
          fs.stat(dir).pipe(Effect.map((info) => info.type === "Directory"), Effect.orElseSucceed(() => false))
        /** The cohorts of this data root that have a spec, sorted. */
        const cohortsWithSpecs = Effect.gen(function*() {
          const names = yield* Effect.orElseSucceed(fs.readDirectory(path.join(paths.root, "cohorts")), () => [])
          const out: Array<string> = []
          for (const name of names.sort()) {
            if (checkCohortId(name) !== undefined) continue
            if (yield* Effect.orElseSucceed(fs.exists(paths.specFile(name)), () => false)) out.push(name)
          }
          return out
        })
        const notFound = (cohortId: string, file: string) =>
          Effect.gen(function*() {
            if (!(yield* isDirectory(paths.root))) {
              return yield* new SpecNotFound({
                cohortId,
                path: file,
                hint: `the data root ${paths.root} does not exist: pass --data-root DIR or set COHORT_DATA_ROOT`
              })
            }
            const cohorts = yield* cohortsWithSpecs
            const best = suggest(cohortId, cohorts)
            const shown = cohorts.slice(0, 10).map((c) => JSON.stringify(c)).join(", ")
            const hint = best !== undefined
              ? `did you mean "${best}"?`
              : cohorts.length === 0
              ? `no cohort under ${path.join(paths.root, "cohorts")} has a spec/config.yaml`
              : `cohorts with a spec: ${shown}${cohorts.length > 10 ? ` and ${cohorts.length - 10} more` : ""}`
            return yield* new SpecNotFound({ cohortId, path: file, cohorts, hint })
          })
        const includeRoot = options.includeRoot === undefined ? {} : { includeRoot: options.includeRoot }
        /** The cohort's spec file, which must exist. */
        const specFileOf = (cohortId: string) =>
          Effect.gen(function*() {
            const bad = checkCohortId(cohortId)
            if (bad !== undefined) return yield* bad
            const file = paths.specFile(cohortId)
            const exists = yield* Effect.orElseSucceed(fs.exists(file), () => false)
            if (!exists) return yield* notFound(cohortId, file)
            return file
          })
        return CohortSpecRepository.of({
          problemsOf: Effect.fn("FileSystemSpecRepository.problemsOf")(function*(cohortId: string) {
            return yield* provide(specProblems(yield* specFileOf(cohortId), includeRoot))
          }),
          get: Effect.fn("FileSystemSpecRepository.get")(function*(cohortId: string) {
            const file = yield* specFileOf(cohortId)
            const spec = yield* provide(
              parseSpec(file, includeRoot)
            )
            return yield* cohortSpecOf(cohortId, spec, { ...options, gens })
          })
        })
      })
    )
}
