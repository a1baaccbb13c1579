import { Effect } from "effect"
import type { InvalidSpec } from "../errors/InvalidSpec.js"
import type { Rule } from "./ParsedSpec.js"

/**
 * Where `validate` collects the independent problems of a spec instead of stopping at the first: each
 * with the place in the spec it was found at (key segments, to order problems as the spec is written).
 */
export interface ProblemSink {
  readonly found: Array<{ readonly error: InvalidSpec; readonly at: ReadonlyArray<PropertyKey> }>
  /**
   * Axes and rule names a problem made unknowable: rules that name them are not checked (their errors
   * would be echoes).
   */
  readonly tainted: Set<string>
  /** The spec as read (its key order places the problems). */
  data?: unknown
}

/** Tainted: every name (the axes or rules could not be read at all). */
export const ANY = "*"

/** Whether a problem left this name unknowable. */
export const isTainted = (sink: ProblemSink | undefined, name: string): boolean =>
  sink !== undefined && (sink.tainted.has(ANY) || sink.tainted.has(name))

export const makeProblemSink = (): ProblemSink => ({ found: [], tainted: new Set() })

/**
 * Runs one independent check: without a sink it fails as a build does; with one, its error is recorded
 * at `at`, `taint` names what it leaves unknowable, and the check gives `undefined`.
 */
export const attempt = <A, R>(
  sink: ProblemSink | undefined,
  at: ReadonlyArray<PropertyKey>,
  effect: Effect.Effect<A, InvalidSpec, R>,
  taint: ReadonlyArray<string> = []
): Effect.Effect<A | undefined, InvalidSpec, R> =>
  sink === undefined ? effect : Effect.catchAll(effect, (error) =>
    Effect.sync(() => {
      sink.found.push({ error, at })
      for (const name of taint) sink.tainted.add(name)
      return undefined
    }))

/** The position of a key path in the spec as written: the index of each key among its siblings, in file order. */
const positionOf = (data: unknown, at: ReadonlyArray<PropertyKey>): Array<number> => {
  const out: Array<number> = []
  let node = data
  for (const segment of at) {
    if (typeof node !== "object" || node === null) break
    const index = Array.isArray(node) ? Number(segment) : Object.keys(node).indexOf(String(segment))
    out.push(index < 0 ? Number.MAX_SAFE_INTEGER : index)
    node = (node as Record<PropertyKey, unknown>)[segment]
  }
  return out
}

const compare = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): number => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return a.length - b.length
}

/** The problems found, in the order their places appear in the spec (a stable sort: one place keeps its order). */
export const problemsInSpecOrder = (sink: ProblemSink): Array<InvalidSpec> =>
  sink.found
    .map((p, i) => ({ ...p, i, position: positionOf(sink.data, p.at) }))
    .sort((a, b) => compare(a.position, b.position) || a.i - b.i)
    .map((p) => p.error)

/** The key segments of a rule (`["rules", "pairs", "draft_essay"]`), where its problems are placed. */
export const ruleSegments = (rule: Rule): ReadonlyArray<string> =>
  rule._tag === "subset" ? ["rules", "subsets", rule.axis] : ["rules", `${rule._tag}s`, rule.name]

/** The names a rule reads or makes: a problem of the rule leaves each of them unknowable. */
export const ruleNames = (rule: Rule): ReadonlyArray<string> =>
  rule._tag === "subset"
    ? [rule.axis]
    : rule._tag === "pair"
    ? [rule.name, rule.left, rule.right]
    : [rule.name, ...rule.axes]

/** The names a rule entry reads or makes, from its payload as written (strings only). */
export const ruleNamesOf = (section: string, name: string, payload: unknown): Array<string> => {
  if (section === "subsets") return [name]
  const record = typeof payload === "object" && payload !== null ? payload as Record<string, unknown> : {}
  const listed = Array.isArray(payload) ? payload : Array.isArray(record["axes"]) ? record["axes"] : []
  const named = [...listed, record["left"], record["right"]]
  return [name, ...named.filter((n): n is string => typeof n === "string")]
}

/**
 * The spec without the units that have a schema problem (an axis, a rule, a section, a top-level key),
 * so that the later checks look only at what the schema accepts; what those units name is tainted.
 */
export const withoutUnits = (
  data: Record<string, unknown>,
  units: ReadonlyArray<ReadonlyArray<PropertyKey>>,
  sink: ProblemSink
) => {
  const copy: Record<string, unknown> = { ...data }
  const mapping = (v: unknown): Record<string, unknown> | undefined =>
    typeof v === "object" && v !== null && !Array.isArray(v) ? { ...(v as Record<string, unknown>) } : undefined
  const axes = mapping(copy["axes"])
  const rules = mapping(copy["rules"])
  const sections: Record<string, Record<string, unknown> | undefined> = {}
  for (const [name, entries] of Object.entries(rules ?? {})) sections[name] = mapping(entries)
  const taintRule = (section: string, name: string) =>
    ruleNamesOf(section, name, sections[section]?.[name]).forEach((n) => sink.tainted.add(n))
  for (const [top, second, third] of units.map((u) => u.map(String))) {
    if (second === undefined) {
      // Axes or rules that are no mapping: which names exist cannot be known at all.
      if ((top === "axes" && axes === undefined) || (top === "rules" && rules === undefined)) sink.tainted.add(ANY)
      if (top === "axes") Object.keys(axes ?? {}).forEach((n) => sink.tainted.add(n))
      if (top === "rules") {
        for (const [section, entries] of Object.entries(sections)) {
          Object.keys(entries ?? {}).forEach((n) => taintRule(section, n))
        }
      }
      delete copy[top!]
    } else if (top === "axes") {
      sink.tainted.add(second)
      delete axes?.[second]
    } else if (third === undefined) {
      if (sections[second] === undefined) sink.tainted.add(ANY)
      Object.keys(sections[second] ?? {}).forEach((n) => taintRule(second, n))
      delete sections[second]
    } else {
      taintRule(second, third)
      delete sections[second]?.[third]
    }
  }
  if (axes !== undefined && "axes" in copy) copy["axes"] = axes
  if (rules !== undefined && "rules" in copy) {
    copy["rules"] = Object.fromEntries(Object.keys(rules).filter((n) => n in sections).map((n) => [n, sections[n]]))
  }
  return copy
}
