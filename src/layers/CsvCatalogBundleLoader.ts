import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as aq from "arquero"
import { parse } from "csv-parse/sync"
import { Effect, Either, Layer } from "effect"
import { createHash } from "node:crypto"
import type { CatalogBundle } from "../domain/CatalogBundle.js"
import { csvHeaderNames } from "../domain/CsvHeader.js"
import type { ColumnTable } from "../domain/Frame.js"
import { decodeUtf8, NOT_UTF8 } from "../domain/Utf8.js"
import { CatalogIncomplete } from "../errors/CatalogIncomplete.js"
import { CatalogInvalid } from "../errors/CatalogInvalid.js"
import { CatalogMissing } from "../errors/CatalogMissing.js"
import { CatalogBundleLoader, type CatalogProblem } from "../services/CatalogBundleLoader.js"
import { dataRootPaths } from "./DataRoot.js"

/** The largest catalog file read: a bound on a runaway file (a symlink to an endless device). */
export const MAX_CATALOG_BYTES = 256 * 1024 * 1024

interface SliceFile {
  readonly slice: string
  readonly path: string
  readonly required: boolean
  /** Columns the slice must have. */
  readonly columns: ReadonlyArray<string>
  readonly template: boolean
}

/** A CSV file as an arquero table of strings (every column, header order), or the reason it cannot be. */
export const readCsvTable = (
  slice: string,
  file: string
): Effect.Effect<{ table: ColumnTable; sha256: string } | undefined, CatalogInvalid, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    // Regular files only, checked before opening: a FIFO would block the open (ignoring Ctrl-C), a
    // device would read without end.
    const info = yield* Effect.either(fs.stat(file))
    if (info._tag === "Right") {
      if (info.right.type !== "File") {
        return yield* new CatalogInvalid({ slice, path: file, reason: `not a regular file (${info.right.type})` })
      }
      if (Number(info.right.size) > MAX_CATALOG_BYTES) {
        return yield* new CatalogInvalid({
          slice,
          path: file,
          reason: `larger than ${MAX_CATALOG_BYTES / 1024 / 1024} MiB (${info.right.size} bytes)`
        })
      }
    }
    const bytes = yield* fs.readFile(file).pipe(
      Effect.map((b): Uint8Array | undefined => b),
      Effect.catchIf(
        (e) => e._tag === "SystemError" && e.reason === "NotFound",
        () => Effect.succeed(undefined)
      ),
      Effect.mapError((e) => new CatalogInvalid({ slice, path: file, reason: `cannot read: ${e.message}` }))
    )
    if (bytes === undefined) return undefined
    const text = decodeUtf8(bytes)
    if (text === undefined) return yield* new CatalogInvalid({ slice, path: file, reason: NOT_UTF8 })
    let records: Array<Array<string>>
    try {
      records = parse(text, { bom: true, skip_empty_lines: true }) as Array<Array<string>>
    } catch (error) {
      return yield* new CatalogInvalid({
        slice,
        path: file,
        reason: `not a valid CSV file: ${(error as Error).message}`
      })
    }
    const header = csvHeaderNames(records[0] ?? [])
    if ("_tag" in header) {
      const reason = header._tag === "Blank"
        ? `blank column name (column ${header.column})`
        : `column "${header.name}" appears twice`
      return yield* new CatalogInvalid({ slice, path: file, reason })
    }
    // Keyed by the catalog's header: no prototype, so a column named `__proto__` is kept.
    const columns: Record<string, Array<string>> = Object.create(null)
    header.forEach((name, c) => {
      columns[name] = records.slice(1).map((r) => r[c]!)
    })
    return { table: aq.table(columns), sha256: createHash("sha256").update(bytes).digest("hex") }
  })

/**
 * Catalogs read from a data root: `combo_mappings.csv` and the `1_raw/` CSVs, all values
 * as strings. A missing file is `CatalogMissing`; a template CSV with the legacy `active` column, or a
 * file that is not UTF-8 CSV, is `CatalogInvalid`. `loadForSpec` fails at the first bad file;
 * `inspectForSpec` reads them all and lists every bad one.
 */
export const CsvCatalogBundleLoader = {
  layer: (dataRoot: string): Layer.Layer<CatalogBundleLoader, never, FileSystem.FileSystem | Path.Path> =>
    Layer.effect(
      CatalogBundleLoader,
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const path = yield* Path.Path
        const paths = dataRootPaths(path, dataRoot)
        const files: ReadonlyArray<SliceFile> = [
          { slice: "combo_mappings", path: paths.comboMappings, required: true, columns: [], template: false },
          {
            slice: "draft_templates",
            path: paths.raw("draft_templates.csv"),
            required: true,
            columns: ["template_id"],
            template: true
          },
          {
            slice: "essay_templates",
            path: paths.raw("essay_templates.csv"),
            required: true,
            columns: ["template_id"],
            template: true
          },
          {
            slice: "evaluation_templates",
            path: paths.raw("evaluation_templates.csv"),
            required: true,
            columns: ["template_id"],
            template: true
          },
          { slice: "llm_models", path: paths.raw("llm_models.csv"), required: true, columns: ["id"], template: false },
          {
            slice: "replication_config",
            path: paths.raw("replication_config.csv"),
            required: false,
            columns: ["stage", "replicates"],
            template: false
          }
        ]
        /**
         * One catalog file read and checked: its table, `undefined` when an optional file is absent, or its
         * problem.
         */
        const readSlice = (file: SliceFile) =>
          Effect.gen(function*() {
            const read = yield* readCsvTable(file.slice, file.path).pipe(
              Effect.provideService(FileSystem.FileSystem, fs)
            )
            if (read === undefined) {
              if (!file.required) return undefined
              return yield* new CatalogMissing({ slice: file.slice, path: file.path, reason: "file not found" })
            }
            const names = read.table.columnNames()
            const missingColumns = file.columns.filter((c) => !names.includes(c))
            if (missingColumns.length > 0) {
              return yield* new CatalogIncomplete({ slice: file.slice, missingColumns, path: file.path })
            }
            if (file.template && names.includes("active")) {
              return yield* new CatalogInvalid({
                slice: file.slice,
                path: file.path,
                reason: "the legacy 'active' column is no longer supported; select templates in the cohort spec instead"
              })
            }
            return read
          })
        /**
         * The bundle of the files read; with `collect`, every file is read and each bad one listed, else the
         * first fails.
         */
        const load = (collect: boolean) =>
          Effect.gen(function*() {
            const frames: Record<string, ColumnTable> = {}
            const catalogFiles: Record<string, string> = {}
            const catalogRows: Record<string, number> = {}
            const catalogSha256: Record<string, string> = {}
            const problems: Array<CatalogProblem> = []
            for (const file of files) {
              const outcome = yield* Effect.either(readSlice(file))
              if (Either.isLeft(outcome)) {
                if (!collect) return yield* outcome.left
                problems.push(outcome.left)
                continue
              }
              const read = outcome.right
              if (read === undefined) continue
              frames[file.slice] = read.table
              catalogFiles[file.slice] = file.path
              catalogRows[file.slice] = read.table.numRows()
              catalogSha256[file.slice] = read.sha256
            }
            const bundle: CatalogBundle = {
              frames,
              metadata: { catalog_files: catalogFiles, catalog_rows: catalogRows, catalog_sha256: catalogSha256 }
            }
            return { bundle, problems }
          })
        return CatalogBundleLoader.of({
          loadForSpec: Effect.fn("CsvCatalogBundleLoader.loadForSpec")(function*() {
            return (yield* load(false)).bundle
          }),
          inspectForSpec: Effect.fn("CsvCatalogBundleLoader.inspectForSpec")(function*() {
            // Collecting, `load` lists each problem instead of failing: a failure here is impossible.
            return yield* Effect.orDie(load(true))
          })
        })
      })
    )
}
