import { FileSystem, Path } from "@effect/platform"
import { Effect, Layer } from "effect"
import { definitionFromDesignRows } from "../domain/CohortDefinition.js"
import { checkCohortId } from "../domain/CohortId.js"
import type { CohortSpec } from "../domain/CohortSpec.js"
import { SpecNotFound } from "../errors/SpecNotFound.js"
import { CohortSpecRepository } from "../services/CohortSpecRepository.js"
import { reuseGenerations } from "../lifecycle/ReuseGenerations.js"
import { compileDesign } from "../spec/CompileDesign.js"
import { parseSpec } from "../spec/ParseSpec.js"
import { capturePlatform, dataRootPaths } from "./DataRoot.js"

/** The default cap on design rows (a plan above it is refused before any row is made). */
export const DEFAULT_MAX_ROWS = 5_000_000

export interface SpecRepositoryOptions {
  /** `@file:` includes may reach anywhere under this folder (default: each spec's own folder). */
  readonly includeRoot?: string
  /** Shuffle the design as Python's `random.Random(seed)` would (the original's `default_seed`). */
  readonly seed?: number | bigint
  /** Refuse designs above this many rows (default 5,000,000). */
  readonly maxRows?: number
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
            const design = yield* compileDesign(spec, {
              maxRows: options.maxRows ?? DEFAULT_MAX_ROWS,
              ...(options.seed === undefined ? {} : { seed: options.seed })
            })
            // Rows may reuse existing generations by id (essay_gen_id / draft_gen_id), read from gens/.
            const reused = yield* reuseGenerations(design, { gensRoot: path.join(paths.root, "gens"), source: file })
            const definition = yield* definitionFromDesignRows(reused, { source: file })
            return {
              cohortId,
              definition,
              metadata: {
                spec_path: file,
                spec_sha256: spec.sha256,
                spec_includes: spec.includes,
                design_rows: design.size,
                ...(options.seed === undefined ? {} : { seed: String(options.seed) })
              },
              warnings: design.plan.warnings
            } satisfies CohortSpec as CohortSpec
          })
        })
      })
    )
}
