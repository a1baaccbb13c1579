import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { parse as parseCsv } from "csv-parse/sync"
import { Effect } from "effect"
import { pyStrip } from "../domain/PythonText.js"
import type { SpecValue } from "../domain/SpecValue.js"
import { InvalidSpec } from "../errors/InvalidSpec.js"
import { parseJson, parseYaml, SyntaxProblem } from "./PyYaml.js"
import { readTextFile, TextFileProblem } from "./TextFile.js"

export const FILE_PREFIX = "@file:"

/** Where includes are resolved and what they may reach. */
export interface IncludeContext {
  /** The spec file named in errors. */
  readonly source: string
  /** The folder `@file:` paths are relative to. */
  readonly baseDir: string
  /** Includes must resolve (symlinks followed) inside this folder; defaults to `baseDir`. */
  readonly includeRoot: string
  /** Files read so far (relative to `baseDir`), with their hashes. */
  readonly included: Array<{ path: string; sha256: string }>
}

// Python's str.splitlines() boundaries.
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/

const csvValues = (text: string, fail: (reason: string, value?: string) => InvalidSpec): Array<SpecValue> | InvalidSpec => {
  let records: Array<Array<string>>
  try {
    records = parseCsv(text, { skip_empty_lines: true, relax_quotes: false }) as Array<Array<string>>
  } catch (error) {
    return fail(`not a valid CSV file: ${(error as Error).message}`)
  }
  const header = records[0]
  if (header === undefined) return fail("the CSV file is empty (a header row is required)")
  const names = header.map(pyStrip)
  const blank = names.findIndex((n) => n === "")
  if (blank >= 0) return fail(`the CSV header has a blank column name (column ${blank + 1})`)
  const duplicate = names.find((n, i) => names.indexOf(n) !== i)
  if (duplicate !== undefined) return fail("the CSV header repeats a column", duplicate)
  if (records.length === 1) return fail("the CSV file has a header but no data rows")
  const out: Array<SpecValue> = []
  for (let r = 1; r < records.length; r++) {
    const cells = records[r]!.map(pyStrip)
    const empty = cells.findIndex((c) => c === "")
    if (empty >= 0) return fail(`empty value in data row ${r}, column "${names[empty]}"`)
    out.push(names.length === 1 ? cells[0]! : cells)
  }
  return out
}

/**
 * The values of an `@file:` include (REFERENCE §3), confined to the include root. `at` is the key path
 * of the include in the spec, named in errors.
 */
export const loadInclude = (
  ref: string,
  at: string,
  ctx: IncludeContext
): Effect.Effect<unknown, InvalidSpec, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const rel = ref.slice(FILE_PREFIX.length)
    const fail = (reason: string, value: string = ref, hint?: string) =>
      new InvalidSpec({ path: ctx.source, key: at, reason, value: JSON.stringify(value), ...(hint ? { hint } : {}) })
    if (pyStrip(rel) === "") return yield* fail("an include needs a file name")
    if (path.isAbsolute(rel)) {
      return yield* fail("an include must be a path relative to the spec's folder", ref, "absolute paths are refused")
    }
    const target = path.resolve(ctx.baseDir, rel)
    const real = yield* Effect.orElseSucceed(fs.realPath(target), () => undefined)
    if (real === undefined) return yield* fail("included file not found", ref, `looked for ${target}`)
    const root = yield* Effect.orElseSucceed(fs.realPath(ctx.includeRoot), () => ctx.includeRoot)
    if (real !== root && !real.startsWith(root.endsWith(path.sep) ? root : root + path.sep)) {
      return yield* fail(
        "an include may not leave the spec's folder",
        ref,
        `it resolves to ${real}, outside ${root}; an embedder can widen the include root`
      )
    }
    const file = yield* readTextFile(real)
    if (file instanceof TextFileProblem) return yield* fail(`cannot use the included file: ${file.reason}`)
    ctx.included.push({ path: path.relative(ctx.baseDir, target), sha256: file.sha256 })
    const failIn = (reason: string, value?: string) =>
      new InvalidSpec({
        path: real,
        key: `${at} (${ref})`,
        reason,
        ...(value === undefined ? {} : { value: JSON.stringify(value) })
      })
    const ext = path.extname(real).toLowerCase()
    switch (ext) {
      case ".csv": {
        const values = csvValues(file.text, failIn)
        return values instanceof InvalidSpec ? yield* values : values
      }
      case ".txt":
        return file.text.split(LINE_BREAK).map(pyStrip).filter((line) => line !== "")
      case ".json":
      case ".yaml":
      case ".yml": {
        const data = ext === ".json" ? parseJson(file.text) : parseYaml(file.text)
        if (data instanceof SyntaxProblem) {
          return yield* failIn(data.line === undefined ? data.reason : `line ${data.line}: ${data.reason}`)
        }
        return ext === ".json" ? data : data ?? []
      }
      default:
        return yield* fail(`unsupported include type "${ext || "(none)"}"`, ref, "use .csv, .txt, .json, .yaml or .yml")
    }
  })
