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
  parseSpec
} from "../index.js"

/** The name a spec sent in a request goes by in errors. */
export const REQUEST_SOURCE = "<request body>"

/** Includes sit a few levels deep (`rules.pairs.<name>.allowed`); deeper values are never looked at. */
const MAX_DEPTH = 8

/** The first mapping value written as an `@file:` include, with its key path. */
const firstInclude = (
  value: unknown,
  at: ReadonlyArray<PropertyKey> = []
): { readonly key: string; readonly value: string } | undefined => {
  if (typeof value !== "object" || value === null || at.length >= MAX_DEPTH) return undefined
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = firstInclude(item, [...at, i])
      if (found !== undefined) return found
    }
    return undefined
  }
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === "string" && item.startsWith(FILE_PREFIX)) return { key: keyPath([...at, key]), value: item }
    const found = firstInclude(item, [...at, key])
    if (found !== undefined) return found
  }
  return undefined
}

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
    const include = firstInclude(data)
    if (include !== undefined) {
      return yield* new InvalidSpec({
        path: REQUEST_SOURCE,
        key: include.key,
        reason: "a spec sent as an object has no folder, so its @file: includes cannot be resolved",
        value: showValue(include.value),
        hint: "inline the values, or build the cohort from its spec folder"
      })
    }
    const spec = yield* parseSpec({ data, baseDir: "/", source: REQUEST_SOURCE })
    const design = yield* compileDesign(spec, {
      maxRows: options.maxRows,
      ...(options.seed === undefined ? {} : { seed: options.seed })
    })
    const definition = yield* definitionFromDesignRows(design, { source: REQUEST_SOURCE })
    return { spec, design, definition }
  }).pipe(Effect.provide(NoFiles))
