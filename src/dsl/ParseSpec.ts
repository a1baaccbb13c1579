import * as Path from "@effect/platform/Path"
import { Effect, Either, ParseResult, Schema } from "effect"
import { isSpecValue, showValue, type SpecValue, valueKey } from "../domain/SpecValue.js"
import { InvalidSpec } from "../errors/InvalidSpec.js"
import { FILE_PREFIX, type IncludeContext, loadInclude } from "./Includes.js"
import type { Axis, ParsedSpec, Rule } from "./ParsedSpec.js"
import { parseJson, parseYaml } from "./PyYaml.js"
import { KNOWN_KEYS, type PairRule, SpecFile, type TieRule, type TupleRule } from "./SpecSchema.js"
import { didYouMean } from "./Suggest.js"
import { readTextFile } from "./TextFile.js"

/** Where a spec is read from: a file, or an already-loaded mapping with the folder its includes are in. */
export type SpecInput = string | { readonly data: unknown; readonly baseDir: string; readonly source?: string }

/** Options of `parseSpec`. */
export interface ParseSpecOptions {
  /** Includes may reach anywhere under this folder (default: the spec's own folder). */
  readonly includeRoot?: string
}

const SIMPLE_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/

/** `rules.pairs.draft_essay.allowed[2]`. */
export const keyPath = (segments: ReadonlyArray<PropertyKey>): string =>
  segments.reduce<string>((acc, s) => {
    if (typeof s === "number") return `${acc}[${s}]`
    const name = String(s)
    if (!SIMPLE_KEY.test(name)) return `${acc}[${JSON.stringify(name)}]`
    return acc === "" ? name : `${acc}.${name}`
  }, "")

const valueAt = (data: unknown, segments: ReadonlyArray<PropertyKey>): unknown =>
  segments.reduce<unknown>(
    (acc, s) => (typeof acc === "object" && acc !== null ? (acc as Record<PropertyKey, unknown>)[s] : undefined),
    data
  )

const knownKeysAt = (parent: ReadonlyArray<PropertyKey>): ReadonlyArray<string> | undefined => {
  if (parent.length === 0) return KNOWN_KEYS.top
  if (parent.length === 1 && parent[0] === "rules") return KNOWN_KEYS.rules
  if (parent.length === 1 && parent[0] === "output") return KNOWN_KEYS.output
  if (parent.length === 3 && parent[0] === "rules") {
    if (parent[1] === "ties") return KNOWN_KEYS.tie
    if (parent[1] === "pairs") return KNOWN_KEYS.pair
    if (parent[1] === "tuples") return KNOWN_KEYS.tuple
  }
  return undefined
}

/** One schema issue → one InvalidSpec naming the key, the value and (for typos) the likely key. */
const fromParseError = (source: string, data: unknown, error: ParseResult.ParseError): InvalidSpec => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
  // A union (a tie is a list or a mapping) reports every member; a stray key is the one worth naming.
  const issue = issues.find((i) => i._tag === "Unexpected") ?? issues[0]!
  const at = issue.path
  const key = keyPath(at)
  if (issue._tag === "Unexpected") {
    const name = String(at[at.length - 1])
    const parent = at.slice(0, -1)
    const shown = showValue(valueAt(data, at))
    if (parent[0] === "rules" && parent[1] === "ties" && name === "to") {
      return new InvalidSpec({
        path: source,
        key,
        reason: "a tie takes no 'to'",
        value: shown,
        hint: "the tie's key is its name: write `<name>: {axes: [...]}`"
      })
    }
    if (parent[0] === "rules" && parent[1] === "tuples" && name === "expand") {
      return new InvalidSpec({ path: source, key, reason: "tuple 'expand' is no longer supported", value: shown })
    }
    const known = knownKeysAt(parent)
    return new InvalidSpec({
      path: source,
      key,
      reason: "unknown key",
      ...(known === undefined ? {} : { hint: didYouMean(name, known) })
    })
  }
  if (issue._tag === "Missing") return new InvalidSpec({ path: source, key, reason: "is required" })
  const message = issue.message.startsWith("Expected")
    ? issue.message.split(", actual")[0]!.toLowerCase()
    : issue.message
  return new InvalidSpec({ path: source, key, reason: message, value: showValue(valueAt(data, at)) })
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
const deriveTupleAxes = (source: string, declared: ReadonlyArray<Axis>, rules: ReadonlyArray<Rule>) =>
  Effect.gen(function*() {
    const declaredNames = new Set(declared.map((a) => a.name))
    const derived = new Map<string, Array<SpecValue>>()
    const seen = new Map<string, Set<string>>()
    for (const rule of rules) {
      if (rule._tag !== "tuple") continue
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
    }
    return Array.from(derived, ([name, levels]): Axis => ({ name, levels, derived: true }))
  })

/** The rules in the order written; payload includes resolved. */
const parseRules = (spec: SpecFile, raw: Record<string, unknown>, ctx: IncludeContext) =>
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
        switch (section) {
          case "subsets": {
            const { include, values } = yield* resolveList(payload, at, ctx)
            rules.push({ _tag: "subset", at, include, axis: name, keep: values })
            break
          }
          case "ties": {
            const tie = payload as TieRule
            rules.push({ _tag: "tie", at, name, axes: "axes" in tie ? tie.axes : tie })
            break
          }
          case "pairs": {
            const pair = payload as PairRule
            const { include, values } = yield* resolveList(pair.allowed, `${at}.allowed`, ctx, [pair.left, pair.right])
            rules.push({
              _tag: "pair",
              at,
              include,
              name,
              left: pair.left,
              right: pair.right,
              allowed: values,
              balance: pair.balance === null || pair.balance === "" ? undefined : pair.balance
            })
            break
          }
          case "tuples": {
            const tuple = payload as TupleRule
            const { include, values } = yield* resolveList(tuple.items, `${at}.items`, ctx, tuple.axes)
            rules.push({ _tag: "tuple", at, include, name, axes: tuple.axes, items: values })
            break
          }
        }
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

/**
 * Reads and validates a spec — a YAML/JSON file, or a mapping with a base folder — and
 * resolves its `@file:` includes, confined to the spec's folder unless `includeRoot` widens it.
 */
export const parseSpec = Effect.fn("parseSpec")(function*(input: SpecInput, options: ParseSpecOptions = {}) {
  const path = yield* Path.Path
  const fromFile = typeof input === "string"
  const source = fromFile ? input : input.source ?? "<memory>"
  const file = fromFile ? yield* readSpecFile(input) : { data: input.data, sha256: undefined }
  const baseDir = fromFile ? path.dirname(path.resolve(input)) : path.resolve(input.baseDir)
  const data = file.data
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return yield* new InvalidSpec({ path: source, reason: "the top level must be a mapping", value: showValue(data) })
  }
  const decoded = Schema.decodeUnknownEither(SpecFile, { errors: "first", onExcessProperty: "error" })(data)
  if (Either.isLeft(decoded)) return yield* fromParseError(source, data, decoded.left)
  const spec = decoded.right

  const ctx: IncludeContext = {
    source,
    baseDir,
    includeRoot: options.includeRoot === undefined ? baseDir : path.resolve(options.includeRoot),
    included: [],
    warnings: []
  }
  const declared: Array<Axis> = []
  const axesSection = spec.axes ?? {}
  for (const name of Object.keys((data as Record<string, unknown>)["axes"] ?? {})) {
    const { include, values } = yield* resolveList(axesSection[name], keyPath(["axes", name]), ctx)
    declared.push({ name, levels: values, derived: false, include })
  }
  const rules = yield* parseRules(spec, data as Record<string, unknown>, ctx)
  const derived = yield* deriveTupleAxes(source, declared, rules)
  const axes = [...declared, ...derived]
  const known = axes.map((a) => a.name)
  for (const [i, field] of spec.output.field_order.entries()) {
    if (!known.includes(field)) {
      return yield* new InvalidSpec({
        path: source,
        key: `output.field_order[${i}]`,
        reason: "names no axis",
        value: JSON.stringify(field),
        hint: didYouMean(field, known)
      })
    }
  }
  return {
    source,
    sha256: file.sha256,
    axes,
    rules,
    fieldOrder: spec.output.field_order,
    includes: ctx.included,
    warnings: ctx.warnings
  } satisfies ParsedSpec as ParsedSpec
})
