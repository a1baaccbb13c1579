import * as PlatformError from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import type { Layer } from "effect"
import { Effect, Either, Option } from "effect"
import { createHash } from "node:crypto"
import { type CohortDefinition, definitionFromDesignRows, type Design } from "../domain/CohortDefinition.js"
import { validateCohortId } from "../domain/CohortId.js"
import type { CohortSpec } from "../domain/CohortSpec.js"
import { showValue } from "../domain/SpecValue.js"
import { unreadColumns, unreadColumnWarnings } from "../domain/UnreadColumns.js"
import { columnsOf } from "../engine/DefinitionColumns.js"
import type { GenerationMetadataMissing } from "../errors/GenerationMetadataMissing.js"
import type { InvalidConstraint } from "../errors/InvalidConstraint.js"
import { InvalidSpec } from "../errors/InvalidSpec.js"
import type { GensStoreService } from "../gens/GensStoreService.js"
import { resolveReuse, REUSE_COLUMNS } from "../lifecycle/ReuseResolver.js"
import { specProblems } from "./CheckSpec.js"
import { compileDesign, DEFAULT_MAX_ROWS } from "./CompileDesign.js"
import { FILE_PREFIX } from "./Includes.js"
import type { ParsedSpec } from "./ParsedSpec.js"
import { keyPath, parseSpec } from "./ParseSpec.js"
import { atSpecOrigin, specPlaces } from "./ValueOrigin.js"

/** How a parsed spec becomes a `CohortSpec`: the design's shuffle and its row cap. */
export interface CompileSpecOptions {
  /** Shuffle the design as Python's `random.Random(seed)` would (the original's `default_seed`). */
  readonly seed?: number | bigint
  /** Refuse designs above this many rows (default 5,000,000; `Infinity` lifts the cap). */
  readonly maxRows?: number
}

/** Options of `cohortSpecFromObject`. */
export interface SpecObjectOptions extends CompileSpecOptions {
  /**
   * The text of each file the spec's `@file:` includes name, keyed by its path relative to the spec's
   * folder (`"items/combos.csv"`). An include not listed here fails with `InvalidSpec`.
   */
  readonly includes?: Readonly<Record<string, string | Uint8Array>>
  /** Names the spec in errors and as `spec_path` in the metadata (default `memory://cohorts/<id>/spec`). */
  readonly source?: string
}

/** Design columns no stage reads (a tie's own column aside), and how many rows folded because of them. */
const designWarnings = (
  spec: ParsedSpec,
  design: { readonly columns: ReadonlyArray<string>; readonly size: number },
  definition: CohortDefinition
): Array<string> => {
  const ties = spec.rules.flatMap((r) => (r._tag === "tie" ? [r.name] : []))
  const unread = unreadColumns(design.columns, [...ties, ...Object.values(REUSE_COLUMNS)])
  if (unread.length === 0) return []
  const evaluations = Either.match(columnsOf(definition), {
    onLeft: () => definition.evaluations.length,
    onRight: (columns) => columns.evaluations.size
  })
  return unreadColumnWarnings(spec.source, unread, design.size, evaluations)
}

/**
 * Compiles a parsed spec and turns its design into a `CohortSpec` whose metadata records the spec
 * (`spec_path`, `spec_sha256`, `spec_includes`, `design_rows`, and `seed` when one is given).
 */
export const cohortSpecOf = (
  cohortId: string,
  spec: ParsedSpec,
  options: CompileSpecOptions & {
    /** The data root's `GensStore`, which rows reusing generations by id (`essay_gen_id`, `draft_gen_id`) read. */
    readonly gens?: GensStoreService
  } = {}
): Effect.Effect<CohortSpec, InvalidSpec | GenerationMetadataMissing> =>
  Effect.map(compileCohortSpec(cohortId, spec, options), (compiled) => compiled.spec)

/** `cohortSpecOf`, with the compiled design (before reused generations are resolved) beside it. */
export const compileCohortSpec = (
  cohortId: string,
  spec: ParsedSpec,
  options: CompileSpecOptions & { readonly gens?: GensStoreService } = {}
): Effect.Effect<{ readonly spec: CohortSpec; readonly design: Design }, InvalidSpec | GenerationMetadataMissing> =>
  Effect.gen(function*() {
    const design = yield* compileDesign(spec, {
      maxRows: options.maxRows ?? DEFAULT_MAX_ROWS,
      ...(options.seed === undefined ? {} : { seed: options.seed })
    })
    const reused = yield* resolveReuse(design, { gens: options.gens, source: spec.source })
    const definition = yield* definitionFromDesignRows(reused, { source: spec.source }).pipe(
      Effect.mapError(atSpecOrigin(spec))
    )
    const cohortSpec = {
      cohortId,
      definition,
      metadata: {
        spec_path: spec.source,
        spec_sha256: spec.sha256,
        spec_includes: spec.includes,
        design_rows: design.size,
        ...(options.seed === undefined ? {} : { seed: String(options.seed) })
      },
      warnings: [...design.layout.warnings, ...designWarnings(spec, design, definition)],
      placeOf: specPlaces(spec)
    } satisfies CohortSpec as CohortSpec
    return { spec: cohortSpec, design }
  })

// The folder an object spec's includes are resolved in; it exists only inside `virtualFolder`.
const SPEC_DIR = "/spec"

const notFound = (method: string, path: string) =>
  new PlatformError.SystemError({ module: "FileSystem", method, reason: "NotFound", pathOrDescriptor: path })

/** A read-only file system holding only the given includes, under `SPEC_DIR`. */
const virtualFolder = (files: ReadonlyMap<string, Uint8Array>): Layer.Layer<FileSystem.FileSystem> =>
  FileSystem.layerNoop({
    realPath: (path) =>
      files.has(path) || path === SPEC_DIR ? Effect.succeed(path) : Effect.fail(notFound("realPath", path)),
    readFile: (path) => {
      const bytes = files.get(path)
      return bytes === undefined ? Effect.fail(notFound("readFile", path)) : Effect.succeed(bytes)
    },
    stat: (path) => {
      const bytes = files.get(path)
      if (bytes === undefined) return Effect.fail(notFound("stat", path))
      return Effect.succeed({
        type: "File",
        mtime: Option.none(),
        atime: Option.none(),
        birthtime: Option.none(),
        dev: 0,
        ino: Option.none(),
        mode: 0o444,
        nlink: Option.none(),
        uid: Option.none(),
        gid: Option.none(),
        rdev: Option.none(),
        size: FileSystem.Size(bytes.length),
        blksize: Option.none(),
        blocks: Option.none()
      })
    }
  })

const entries = (value: unknown): Array<[string, unknown]> =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? Object.entries(value) : []

/** Where a spec may say `@file:`: axis levels, subsets, pair `allowed`, tuple `items`. */
const includeSites = (data: unknown): Array<{ at: string; ref: unknown }> => {
  const record = Object.fromEntries(entries(data))
  const rules = Object.fromEntries(entries(record["rules"]))
  return [
    ...entries(record["axes"]).map(([name, ref]) => ({ at: keyPath(["axes", name]), ref })),
    ...entries(rules["subsets"]).map(([name, ref]) => ({ at: keyPath(["rules", "subsets", name]), ref })),
    ...entries(rules["pairs"]).map(([name, pair]) => ({
      at: keyPath(["rules", "pairs", name, "allowed"]),
      ref: Object.fromEntries(entries(pair))["allowed"]
    })),
    ...entries(rules["tuples"]).map(([name, tuple]) => ({
      at: keyPath(["rules", "tuples", name, "items"]),
      ref: Object.fromEntries(entries(tuple))["items"]
    }))
  ]
}

/** Each include of an object spec that `includes` does not hold: named before any parsing. */
const unresolvedIncludes = (data: unknown, source: string, files: ReadonlyMap<string, Uint8Array>, path: Path.Path) => {
  const out: Array<InvalidSpec> = []
  for (const { at, ref } of includeSites(data)) {
    if (typeof ref !== "string" || !ref.startsWith(FILE_PREFIX)) continue
    const rel = ref.slice(FILE_PREFIX.length).trim()
    // Empty, absolute and escaping paths are refused by the include rules themselves, with their reasons.
    if (rel === "" || path.isAbsolute(rel)) continue
    const target = path.resolve(SPEC_DIR, rel)
    if (!target.startsWith(`${SPEC_DIR}/`) || files.has(target)) continue
    out.push(
      new InvalidSpec({
        path: source,
        key: at,
        reason: "a spec given as an object has no folder to read includes from",
        value: showValue(ref),
        hint: `pass the file's text as includes[${JSON.stringify(rel)}], or write the values inline`
      })
    )
  }
  return out
}

const jsonText = (data: unknown): string =>
  JSON.stringify(data, (_key, value) => typeof value === "bigint" ? value.toString() : value) ?? "null"

/** The includes of an object spec as files under `SPEC_DIR`, and the name the spec goes by. */
const objectFiles = (cohortId: string, options: SpecObjectOptions, path: Path.Path) => {
  const files = new Map<string, Uint8Array>()
  for (const [rel, content] of Object.entries(options.includes ?? {})) {
    files.set(path.resolve(SPEC_DIR, rel), typeof content === "string" ? new TextEncoder().encode(content) : content)
  }
  return { files, source: options.source ?? `memory://cohorts/${cohortId}/spec` }
}

/**
 * Every independent problem of a spec given as a mapping (what `specProblems` lists for a spec file):
 * each include `includes` does not hold, else every problem of the spec, in spec order.
 */
export const specObjectProblems = (
  cohortId: string,
  spec: unknown,
  options: SpecObjectOptions = {}
): Effect.Effect<ReadonlyArray<InvalidSpec>, InvalidConstraint> =>
  Effect.gen(function*() {
    yield* validateCohortId(cohortId)
    const path = yield* Path.Path
    const { files, source } = objectFiles(cohortId, options, path)
    const missing = unresolvedIncludes(spec, source, files, path)
    if (missing.length > 0) return missing
    return yield* specProblems({ data: spec, baseDir: SPEC_DIR, source }).pipe(Effect.provide(virtualFolder(files)))
  }).pipe(Effect.provide(Path.layer))

/**
 * A spec given as a mapping (parsed YAML/JSON, e.g. kept in a database) → the `CohortSpec` a build
 * uses, with the metadata the file repository records. No file system is touched: `@file:` includes
 * are read from `options.includes`. `spec_sha256` is the SHA-256 of the mapping's `JSON.stringify`
 * text; `spec_includes` lists the includes read, with the SHA-256 of their bytes.
 */
export const cohortSpecFromObject = (
  cohortId: string,
  spec: unknown,
  options: SpecObjectOptions = {}
): Effect.Effect<CohortSpec, InvalidSpec | InvalidConstraint | GenerationMetadataMissing> =>
  Effect.gen(function*() {
    yield* validateCohortId(cohortId)
    const path = yield* Path.Path
    const { files, source } = objectFiles(cohortId, options, path)
    const missing = unresolvedIncludes(spec, source, files, path)[0]
    if (missing !== undefined) return yield* missing
    const parsed = yield* parseSpec({ data: spec, baseDir: SPEC_DIR, source }).pipe(
      Effect.provide(virtualFolder(files))
    )
    const sha256 = createHash("sha256").update(jsonText(spec)).digest("hex")
    return yield* cohortSpecOf(cohortId, { ...parsed, sha256 }, options)
  }).pipe(Effect.provide(Path.layer))
