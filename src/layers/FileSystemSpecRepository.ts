import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { Effect, Layer } from "effect"
import { checkCohortId } from "../domain/CohortId.js"
import { SpecNotFound } from "../errors/SpecNotFound.js"
import { CohortSpecRepository } from "../services/CohortSpecRepository.js"
import { parseSpec } from "../spec/ParseSpec.js"
import { cohortSpecOf, type CompileSpecOptions } from "../spec/SpecObject.js"
import { capturePlatform, dataRootPaths } from "./DataRoot.js"

export { DEFAULT_MAX_ROWS } from "../spec/CompileDesign.js"

/** Options of `FileSystemSpecRepository.layer` (and of `dataRootLayer`). */
export interface SpecRepositoryOptions extends CompileSpecOptions {
  /** `@file:` includes may reach anywhere under this folder (default: each spec's own folder). */
  readonly includeRoot?: string
}

/**
 * Specs read from `cohorts/<id>/spec/config.yaml` under a data root, parsed, compiled and turned into
 * a definition. Spec path, hash and includes go into the metadata.
 */
export const FileSystemSpecRepository = {
  layer: (
    dataRoot: string,
    options: SpecRepositoryOptions = {}
  ): Layer.Layer<CohortSpecRepository, never, FileSystem.FileSystem | Path.Path> =>
    Layer.effect(
      CohortSpecRepository,
      Effect.gen(function*() {
        const { fs, path, provide } = yield* capturePlatform
        const paths = dataRootPaths(path, dataRoot)
        return CohortSpecRepository.of({
          get: Effect.fn("FileSystemSpecRepository.get")(function*(cohortId: string) {
            const bad = checkCohortId(cohortId)
            if (bad !== undefined) return yield* bad
            const file = paths.specFile(cohortId)
            const exists = yield* Effect.orElseSucceed(fs.exists(file), () => false)
            if (!exists) return yield* new SpecNotFound({ cohortId, path: file })
            const spec = yield* provide(parseSpec(file, options.includeRoot === undefined ? {} : { includeRoot: options.includeRoot }))
            return yield* cohortSpecOf(cohortId, spec, options)
          })
        })
      })
    )
}
