import { FileSystem, Path } from "@effect/platform"
import { Effect, Layer } from "effect"
import { definitionFromDesignRows } from "../domain/CohortDefinition.js"
import { columnsOf, isOrphanEntry } from "../domain/DefinitionColumns.js"
import { unreadColumns, unreadColumnWarnings } from "../domain/UnreadColumns.js"
import { checkCohortId } from "../domain/CohortId.js"
import type { CohortDefinition } from "../domain/CohortDefinition.js"
import type { CohortSpec } from "../domain/CohortSpec.js"
import type { ExperimentSpec } from "../spec/ExperimentSpec.js"
import { SpecNotFound } from "../errors/SpecNotFound.js"
import { CohortSpecRepository } from "../services/CohortSpecRepository.js"
import { compileDesign } from "../spec/CompileDesign.js"
import { parseSpec } from "../spec/ParseSpec.js"
import { suggest } from "../spec/Suggest.js"
import { atSpecOrigin } from "../spec/ValueOrigin.js"
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

/** Design columns no stage reads (a tie's own column aside), and how many rows folded because of them. */
const designWarnings = (
  file: string,
  spec: ExperimentSpec,
  design: { readonly columns: ReadonlyArray<string>; readonly size: number },
  definition: CohortDefinition
): Array<string> => {
  const ties = spec.rules.flatMap((r) => (r._tag === "tie" ? [r.name] : []))
  const unread = unreadColumns(design.columns, ties)
  if (unread.length === 0) return []
  const columns = columnsOf(definition)
  const evaluations = isOrphanEntry(columns) ? definition.evaluations.length : columns.evaluations.size
  return unreadColumnWarnings(file, unread, design.size, evaluations)
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
        return CohortSpecRepository.of({
          get: Effect.fn("FileSystemSpecRepository.get")(function*(cohortId: string) {
            const bad = checkCohortId(cohortId)
            if (bad !== undefined) return yield* bad
            const file = paths.specFile(cohortId)
            const exists = yield* Effect.orElseSucceed(fs.exists(file), () => false)
            if (!exists) return yield* notFound(cohortId, file)
            const spec = yield* provide(parseSpec(file, options.includeRoot === undefined ? {} : { includeRoot: options.includeRoot }))
            const design = yield* compileDesign(spec, {
              maxRows: options.maxRows ?? DEFAULT_MAX_ROWS,
              ...(options.seed === undefined ? {} : { seed: options.seed })
            })
            const definition = yield* definitionFromDesignRows(design, { source: file }).pipe(Effect.mapError(atSpecOrigin(spec)))
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
              warnings: [...design.plan.warnings, ...designWarnings(file, spec, design, definition)]
            } satisfies CohortSpec as CohortSpec
          })
        })
      })
    )
}
