import type * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { Effect, Either, Schema } from "effect"
import { isSpecValue, showValue, type SpecValue, valueKey } from "../domain/SpecValue.js"
import { InvalidSpec } from "../errors/InvalidSpec.js"
import { FILE_PREFIX, type IncludeContext, loadInclude } from "./Includes.js"
import type { Axis, ParsedSpec, Rule } from "./ParsedSpec.js"
import { parseJson, parseYaml } from "./PyYaml.js"
import { fromParseError, keyPath, schemaProblems } from "./SchemaIssues.js"
import {
  attempt,
  isTainted,
  type ProblemSink,
  ruleNames,
  ruleNamesOf,
  ruleSegments,
  withoutUnits
} from "./SpecProblems.js"
import { type PairRule, SpecFile, type TieRule, type TupleRule } from "./SpecSchema.js"
import { didYouMean } from "./Suggest.js"
import { readTextFile } from "./TextFile.js"

/** Where a spec is read from: a file, or an already-loaded mapping with the folder its includes are in. */
export type SpecInput = string | { readonly data: unknown; readonly baseDir: string; readonly source?: string }

export { keyPath } from "./SchemaIssues.js"

/** Options of `parseSpec`. */
export interface ParseSpecOptions {
  /** Includes may reach anywhere under this folder (default: the spec's own folder). */
  readonly includeRoot?: string
}

/** Resolves a payload that may be `@file:`; the result must be a list. */
const resolveList = (payload: unknown, at: string, ctx: IncludeContext, columns?: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const fromFile = typeof payload === "string" && payload.startsWith(FILE_PREFIX)
    const values = fromFile ? yield* loadInclude(payload, at, ctx, columns) : payload
    if (!Array.isArray(values)) {
      return yield* new InvalidSpec({
        path: ctx.source,
        key: at,
        reason: fromFile ? "the included file must hold a list" : "must be a list",
        value: showValue(payload)
      })
    }
    // Levels are scalars or lists (tuples); a mapping has no place (Python could not even hash it).
    const bad = (values as ReadonlyArray<unknown>).findIndex((v) => !isSpecValue(v))
    if (bad >= 0) {
      return yield* new InvalidSpec({
        path: ctx.source,
        key: `${at}[${bad}]`,
        reason: "must be a value or a list of values, not a mapping",
        value: showValue((values as ReadonlyArray<unknown>)[bad]),
        ...(fromFile ? { hint: `from ${payload as string}` } : {})
      })
    }
    return { values: values as ReadonlyArray<SpecValue>, include: fromFile ? (payload as string) : undefined }
  })

/** Tuple-derived axes: levels are the tuple column values in first-seen order. */
const deriveTupleAxes = (
  source: string,
  declared: ReadonlyArray<Axis>,
  rules: ReadonlyArray<Rule>,
  sink?: ProblemSink
) =>
  Effect.gen(function*() {
    const declaredNames = new Set(declared.map((a) => a.name))
    const derived = new Map<string, Array<SpecValue>>()
    const seen = new Map<string, Set<string>>()
    const deriveFrom = (rule: Extract<Rule, { _tag: "tuple" }>) =>
      Effect.gen(function*() {
        for (const [i, axis] of rule.axes.entries()) {
          if (declaredNames.has(axis)) {
            return yield* new InvalidSpec({
              path: source,
              key: `${rule.at}.axes[${i}]`,
              reason:
                "an axis coupled by a tuple takes its levels from the tuple's items and may not be declared under axes",
              value: JSON.stringify(axis),
              hint: `remove axes.${axis}`
            })
          }
          if (!derived.has(axis)) {
            derived.set(axis, [])
            seen.set(axis, new Set())
          }
        }
        for (const [i, item] of rule.items.entries()) {
          if (!Array.isArray(item) || item.length !== rule.axes.length) {
            return yield* new InvalidSpec({
              path: source,
              key: `${rule.at}.items[${i}]`,
              reason: `each item must list ${rule.axes.length} values (${rule.axes.join(", ")})`,
              value: showValue(item),
              ...(rule.include === undefined ? {} : { hint: `items come from ${rule.include}` })
            })
          }
          for (const [j, axis] of rule.axes.entries()) {
            const key = valueKey(item[j] as SpecValue)
            if (!seen.get(axis)!.has(key)) {
              seen.get(axis)!.add(key)
              derived.get(axis)!.push(item[j] as SpecValue)
            }
          }
        }
      })
    for (const rule of rules) {
      if (rule._tag === "tuple") yield* attempt(sink, ruleSegments(rule), deriveFrom(rule), ruleNames(rule))
    }
    return Array.from(derived, ([name, levels]): Axis => ({ name, levels, derived: true }))
  })

/** One rule entry, its payload include resolved. */
const parseRule = (
  section: "subsets" | "ties" | "pairs" | "tuples",
  name: string,
  at: string,
  payload: unknown,
  ctx: IncludeContext
): Effect.Effect<Rule, InvalidSpec, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    switch (section) {
      case "subsets": {
        const { include, values } = yield* resolveList(payload, at, ctx)
        return { _tag: "subset", at, include, axis: name, keep: values }
      }
      case "ties": {
        const tie = payload as TieRule
        return { _tag: "tie", at, name, axes: "axes" in tie ? tie.axes : tie }
      }
      case "pairs": {
        const pair = payload as PairRule
        const { include, values } = yield* resolveList(pair.allowed, `${at}.allowed`, ctx, [pair.left, pair.right])
        return {
          _tag: "pair",
          at,
          include,
          name,
          left: pair.left,
          right: pair.right,
          allowed: values,
          balance: pair.balance === null || pair.balance === "" ? undefined : pair.balance
        }
      }
      case "tuples": {
        const tuple = payload as TupleRule
        const { include, values } = yield* resolveList(tuple.items, `${at}.items`, ctx, tuple.axes)
        return { _tag: "tuple", at, include, name, axes: tuple.axes, items: values }
      }
    }
  })

/** The rules in the order written; payload includes resolved. */
const parseRules = (spec: SpecFile, raw: Record<string, unknown>, ctx: IncludeContext, sink?: ProblemSink) =>
  Effect.gen(function*() {
    const rules: Array<Rule> = []
    const sections = spec.rules ?? {}
    // Key order comes from the file, not from the decoded struct (which follows the schema's order).
    const rawSections = (raw["rules"] ?? {}) as Record<string, Record<string, unknown>>
    for (const section of Object.keys(rawSections) as Array<keyof typeof sections>) {
      const entries = sections[section] ?? {}
      for (const name of Object.keys(rawSections[section]!)) {
        const payload = (entries as Record<string, unknown>)[name]
        const at = keyPath(["rules", section, name])
        const rule = yield* attempt(
          sink,
          ["rules", section, name],
          parseRule(section, name, at, payload, ctx),
          ruleNamesOf(section, name, payload)
        )
        if (rule !== undefined) rules.push(rule)
      }
    }
    return rules
  })

const readSpecFile = (file: string) =>
  Effect.gen(function*() {
    const path = yield* Path.Path
    const ext = path.extname(file).toLowerCase()
    if (ext !== ".yaml" && ext !== ".yml" && ext !== ".json") {
      return yield* new InvalidSpec({ path: file, reason: "unsupported spec format", hint: "use .yaml, .yml or .json" })
    }
    const read = yield* Effect.catchTag(
      readTextFile(file),
      "TextFileUnreadable",
      (e) => new InvalidSpec({ path: file, reason: e.reason })
    )
    const data = yield* Effect.catchTag(
      ext === ".json" ? parseJson(read.text) : parseYaml(read.text),
      "TextSyntaxError",
      (e) =>
        new InvalidSpec({
          path: file,
          reason: `not valid ${ext === ".json" ? "JSON" : "YAML"}: ${e.reason}`,
          ...(e.line === undefined ? {} : { key: `line ${e.line}` })
        })
    )
    return { data: ext === ".json" ? data : data ?? {}, sha256: read.sha256 }
  })

/** Parses a spec; with a sink, each independent problem is recorded there and the checks go on. */
export const parseSpecWith = (input: SpecInput, options: ParseSpecOptions, sink?: ProblemSink) =>
  Effect.gen(function*() {
    const path = yield* Path.Path
    const fromFile = typeof input === "string"
    const source = fromFile ? input : input.source ?? "<memory>"
    const file = fromFile ? yield* readSpecFile(input) : { data: input.data, sha256: undefined }
    const baseDir = fromFile ? path.dirname(path.resolve(input)) : path.resolve(input.baseDir)
    let data = file.data
    if (sink !== undefined) sink.data = data
    if (typeof data !== "object" || data === null || Array.isArray(data)) {
      return yield* new InvalidSpec({ path: source, reason: "the top level must be a mapping", value: showValue(data) })
    }
    const decoded = Schema.decodeUnknownEither(SpecFile, {
      errors: sink === undefined ? "first" : "all",
      onExcessProperty: "error"
    })(data)
    if (Either.isLeft(decoded)) {
      if (sink === undefined) return yield* fromParseError(source, data, decoded.left)
      const { found, units } = schemaProblems(source, data, decoded.left)
      sink.found.push(...found)
      data = withoutUnits(data as Record<string, unknown>, units, sink)
    }
    // What is left once the units with schema problems are taken out is what the schema accepts.
    const spec = Either.isRight(decoded) ? decoded.right : data as SpecFile

    const ctx: IncludeContext = {
      source,
      baseDir,
      includeRoot: options.includeRoot === undefined ? baseDir : path.resolve(options.includeRoot),
      included: [],
      warnings: [],
      texts: new Map()
    }
    const declared: Array<Axis> = []
    const axesSection = spec.axes ?? {}
    for (const name of Object.keys((data as Record<string, unknown>)["axes"] ?? {})) {
      const at = ["axes", name]
      const resolved = yield* attempt(sink, at, resolveList(axesSection[name], keyPath(at), ctx), [name])
      if (resolved !== undefined) {
        declared.push({ name, levels: resolved.values, derived: false, include: resolved.include })
      }
    }
    const rules = yield* parseRules(spec, data as Record<string, unknown>, ctx, sink)
    const derived = yield* deriveTupleAxes(source, declared, rules, sink)
    const axes = [...declared, ...derived]
    const known = axes.map((a) => a.name)
    const fieldOrder = (spec.output as SpecFile["output"] | undefined)?.field_order ?? []
    for (const [i, field] of fieldOrder.entries()) {
      if (known.includes(field) || isTainted(sink, field)) continue
      const error = new InvalidSpec({
        path: source,
        key: `output.field_order[${i}]`,
        reason: "names no axis",
        value: JSON.stringify(field),
        hint: didYouMean(field, known)
      })
      if (sink === undefined) return yield* error
      sink.found.push({ error, at: ["output", "field_order", i] })
    }
    return {
      source,
      sha256: file.sha256,
      axes,
      rules,
      fieldOrder,
      includes: ctx.included,
      includeTexts: ctx.texts,
      warnings: ctx.warnings
    } satisfies ParsedSpec as ParsedSpec
  })

/**
 * Reads and validates a spec — a YAML/JSON file, or a mapping with a base folder — and
 * resolves its `@file:` includes, confined to the spec's folder unless `includeRoot` widens it.
 */
export const parseSpec = Effect.fn("parseSpec")(function*(input: SpecInput, options: ParseSpecOptions = {}) {
  return yield* parseSpecWith(input, options)
})
