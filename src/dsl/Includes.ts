import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { parse as parseCsv } from "csv-parse/sync"
import { Effect } from "effect"
import { csvHeaderNames } from "../domain/CsvHeader.js"
import { pyStrip } from "../domain/PythonText.js"
import type { SpecValue } from "../domain/SpecValue.js"
import { InvalidSpec } from "../errors/InvalidSpec.js"
import type { IncludeText } from "./IncludeLines.js"
import { parseJson, parseYaml } from "./PyYaml.js"
import { readTextFile } from "./TextFile.js"

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
  /** Validation warnings about the files read. */
  readonly warnings: Array<string>
  /** The text of each include read, by its `@file:` reference, to find a value's line for an error. */
  readonly texts: Map<string, IncludeText>
}

// Python's str.splitlines() boundaries (three of them control characters).
// eslint-disable-next-line no-control-regex
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/

/**
 * Does a header name this axis: the axis itself, or its last `_`-separated words (`replicate` for
 * `evaluation_replicate`)?
 */
const names = (header: string, axis: string): boolean => header === axis || axis.endsWith(`_${header}`)

/**
 * A multi-column include is matched to the rule's axes by position, as in the original. A header that
 * names the rule's axes in another order would silently swap them, so it is refused: the columns a
 * header cell names (unambiguously, among the rule's axes) must stand at that axis's position.
 */
export const misplacedColumn = (
  header: ReadonlyArray<string>,
  axes: ReadonlyArray<string>
): { readonly column: string; readonly axis: string } | undefined => {
  if (header.length !== axes.length) return undefined
  for (let i = 0; i < header.length; i++) {
    const named = axes.filter((a) => names(header[i]!, a))
    if (named.length === 1 && named[0] !== axes[i]) return { column: header[i]!, axis: named[0]! }
  }
  return undefined
}

const csvValues = (
  text: string,
  fail: (reason: string, value?: string, hint?: string) => InvalidSpec,
  axes?: ReadonlyArray<string>
): Effect.Effect<Array<SpecValue>, InvalidSpec> =>
  Effect.suspend(() => {
    let records: Array<Array<string>>
    try {
      records = parseCsv(text, { skip_empty_lines: true, relax_quotes: false }) as Array<Array<string>>
    } catch (error) {
      return fail(`not a valid CSV file: ${(error as Error).message}`)
    }
    const header = records[0]
    if (header === undefined) return fail("the CSV file is empty (a header row is required)")
    const names = csvHeaderNames(header)
    if ("_tag" in names) {
      return names._tag === "Blank"
        ? fail(`the CSV header has a blank column name (column ${names.column})`)
        : fail("the CSV header repeats a column", names.name)
    }
    const misplaced = names.length > 1 && axes !== undefined ? misplacedColumn(names, axes) : undefined
    if (misplaced !== undefined) {
      return fail(
        `the CSV header names the rule's axes in another order: column ${names.indexOf(misplaced.column) + 1} ` +
          `is axis ${misplaced.axis}, which the rule lists at position ${axes!.indexOf(misplaced.axis) + 1}`,
        names.join(","),
        `columns are matched to the rule's axes [${axes!.join(", ")}] by position: reorder the columns or the axes`
      )
    }
    if (records.length === 1) return fail("the CSV file has a header but no data rows")
    const out: Array<SpecValue> = []
    for (let r = 1; r < records.length; r++) {
      const cells = records[r]!.map(pyStrip)
      const empty = cells.findIndex((c) => c === "")
      if (empty >= 0) return fail(`empty value in data row ${r}, column "${names[empty]}"`)
      out.push(names.length === 1 ? cells[0]! : cells)
    }
    return Effect.succeed(out)
  })

/**
 * The values of an `@file:` include (REFERENCE §3), confined to the include root. `at` is the key path
 * of the include in the spec, named in errors.
 */
export const loadInclude = (
  ref: string,
  at: string,
  ctx: IncludeContext,
  axes?: ReadonlyArray<string>
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
    const ext = path.extname(real).toLowerCase()
    // The original reads a .txt include with its BOM: U+FEFF is no space to str.strip(), so it stays in
    // the first value (and its id). Kept for parity, and warned about.
    const file = yield* Effect.catchTag(
      readTextFile(real, undefined, ext === ".txt"),
      "TextFileUnreadable",
      (e) => fail(`cannot use the included file: ${e.reason}`)
    )
    ctx.included.push({ path: path.relative(ctx.baseDir, target), sha256: file.sha256 })
    ctx.texts.set(ref, { ext, text: file.text })
    const failIn = (reason: string, value?: string, hint?: string) =>
      new InvalidSpec({
        path: real,
        key: `${at} (${ref})`,
        reason,
        ...(value === undefined ? {} : { value: JSON.stringify(value) }),
        ...(hint === undefined ? {} : { hint })
      })
    switch (ext) {
      case ".csv":
        return yield* csvValues(file.text, failIn, axes)
      case ".txt":
        if (file.text.startsWith("\ufeff")) {
          ctx.warnings.push(
            `${ctx.source}: ${at}: ${ref} starts with a UTF-8 BOM; as in the original, U+FEFF stays at the start of ` +
              `the first value (${
                JSON.stringify(pyStrip(file.text.slice(1).split(LINE_BREAK)[0]!))
              }) and changes its id; ` +
              "save the file without a BOM to drop it"
          )
        }
        return file.text.split(LINE_BREAK).map(pyStrip).filter((line) => line !== "")
      case ".json":
      case ".yaml":
      case ".yml": {
        const data = yield* Effect.catchTag(
          ext === ".json" ? parseJson(file.text) : parseYaml(file.text),
          "TextSyntaxError",
          (e) => failIn(e.line === undefined ? e.reason : `line ${e.line}: ${e.reason}`)
        )
        return ext === ".json" ? data : data ?? []
      }
      default:
        return yield* fail(`unsupported include type "${ext || "(none)"}"`, ref, "use .csv, .txt, .json, .yaml or .yml")
    }
  })
