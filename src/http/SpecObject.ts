import { FileSystem, Path } from "@effect/platform"
import { Effect, Layer } from "effect"
import { showValue } from "../domain/SpecValue.js"
import { FILE_PREFIX } from "../dsl/Includes.js"
import { keyPath } from "../dsl/ParseSpec.js"
import {
  type CohortDefinition,
  type CompiledDesign,
  compileDesign,
  definitionFromDesignRows,
  InvalidSpec,
  type ParsedSpec,
  parseSpec,
  specProblems
} from "../index.js"

/** The name a spec sent in a request goes by in errors. */
export const REQUEST_SOURCE = "<request body>"

/** Includes sit a few levels deep (`rules.pairs.<name>.allowed`); deeper values are never looked at. */
const MAX_DEPTH = 8

/** Includes named one by one in a validate's list; a body cannot hold many, this bounds the answer. */
const MAX_INCLUDES = 100

/** The mapping values written as `@file:` includes (up to `limit`), with their key paths, in body order. */
const includesIn = (
  value: unknown,
  limit: number,
  at: ReadonlyArray<PropertyKey> = [],
  out: Array<{ readonly key: string; readonly value: string }> = []
): Array<{ readonly key: string; readonly value: string }> => {
  if (typeof value !== "object" || value === null || at.length >= MAX_DEPTH) return out
  const entries: Array<[PropertyKey, unknown]> = Array.isArray(value) ? [...value.entries()] : Object.entries(value)
  for (const [key, item] of entries) {
    if (out.length >= limit) break
    if (!Array.isArray(value) && typeof item === "string" && item.startsWith(FILE_PREFIX)) {
      out.push({ key: keyPath([...at, key]), value: item })
    } else includesIn(item, limit, [...at, key], out)
  }
  return out
}

const includeRefused = (include: { readonly key: string; readonly value: string }) =>
  new InvalidSpec({
    path: REQUEST_SOURCE,
    key: include.key,
    reason: "a spec sent as an object has no folder, so its @file: includes cannot be resolved",
    value: showValue(include.value),
    hint: "inline the values, or build the cohort from its spec folder"
  })

// A spec object has no folder, so nothing it names may be read: its includes see an empty file system.
const NoFiles = Layer.merge(FileSystem.layerNoop({}), Path.layer)

/** A spec object (the mapping a spec file holds) parsed and compiled to its design rows and definition. */
export interface CompiledSpecObject {
  readonly spec: ParsedSpec
  readonly design: CompiledDesign
  readonly definition: CohortDefinition
}

/**
 * Parses, compiles and defines a spec object. `@file:` includes are refused (there is no folder to
 * resolve them in); designs above `maxRows` are refused before any row is made.
 */
export const compileSpecObject = (
  data: unknown,
  options: { readonly maxRows: number; readonly seed?: number | undefined }
): Effect.Effect<CompiledSpecObject, InvalidSpec> =>
  Effect.gen(function*() {
    const include = includesIn(data, 1)[0]
    if (include !== undefined) return yield* includeRefused(include)
    const spec = yield* parseSpec({ data, baseDir: "/", source: REQUEST_SOURCE })
    const design = yield* compileDesign(spec, {
      maxRows: options.maxRows,
      ...(options.seed === undefined ? {} : { seed: options.seed })
    })
    const definition = yield* definitionFromDesignRows(design, { source: REQUEST_SOURCE })
    return { spec, design, definition }
  }).pipe(Effect.provide(NoFiles))

/**
 * Every independent problem of a spec object, as `compileSpecObject` would meet them: each `@file:`
 * include (all refused), else every problem of the spec in spec order (`specProblems`).
 */
export const specObjectProblems = (data: unknown): Effect.Effect<ReadonlyArray<InvalidSpec>> =>
  Effect.suspend(() => {
    const includes = includesIn(data, MAX_INCLUDES)
    if (includes.length > 0) return Effect.succeed(includes.map(includeRefused))
    return specProblems({ data, baseDir: "/", source: REQUEST_SOURCE }).pipe(Effect.provide(NoFiles))
  })
