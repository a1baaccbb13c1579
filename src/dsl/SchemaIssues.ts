import { ParseResult } from "effect"
import { showValue } from "../domain/SpecValue.js"
import { InvalidSpec } from "../errors/InvalidSpec.js"
import { KNOWN_KEYS } from "./SpecSchema.js"
import { didYouMean, suggest } from "./Suggest.js"

const SIMPLE_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/

/** `rules.pairs.draft_essay.allowed[2]`. */
export const keyPath = (segments: ReadonlyArray<PropertyKey>): string =>
  segments.reduce<string>((acc, s) => {
    if (typeof s === "number") return `${acc}[${s}]`
    const name = String(s)
    if (!SIMPLE_KEY.test(name)) return `${acc}[${JSON.stringify(name)}]`
    return acc === "" ? name : `${acc}.${name}`
  }, "")

export const valueAt = (data: unknown, segments: ReadonlyArray<PropertyKey>): unknown =>
  segments.reduce<unknown>(
    (acc, s) => (typeof acc === "object" && acc !== null ? (acc as Record<PropertyKey, unknown>)[s] : undefined),
    data
  )

export const knownKeysAt = (parent: ReadonlyArray<PropertyKey>): ReadonlyArray<string> | undefined => {
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
const issueProblem = (source: string, data: unknown, issue: ParseResult.ArrayFormatterIssue): InvalidSpec => {
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

/** The schema error of a spec (decoded with `errors: "first"`) → the one InvalidSpec a build reports. */
export const fromParseError = (source: string, data: unknown, error: ParseResult.ParseError): InvalidSpec => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
  // A union (a tie is a list or a mapping) reports every member; a stray key is the one worth naming.
  return issueProblem(source, data, issues.find((i) => i._tag === "Unexpected") ?? issues[0]!)
}

/**
 * The unit of a spec an issue belongs to: a top-level key, an axis, a rule section, or one rule. Units
 * are checked independently; the issues within one are a single mistake (a union reports each member).
 */
const unitOf = (path: ReadonlyArray<PropertyKey>): ReadonlyArray<PropertyKey> => {
  if (path[0] === "axes") return path.slice(0, 2)
  if (path[0] === "rules" && path.length >= 3 && (KNOWN_KEYS.rules as ReadonlyArray<unknown>).includes(path[1])) {
    return path.slice(0, 3)
  }
  return path.slice(0, path[0] === "rules" ? 2 : 1)
}

/**
 * Every independent schema problem of a spec (decoded with `errors: "all"`), each at its place: every
 * unknown key of a unit (with its did-you-mean), else the unit's first issue. A required key that a
 * misspelled sibling stands for (`lefft` → `left`) is not reported twice. `units` are the places with a
 * problem, whose contents the later checks skip.
 */
export const schemaProblems = (source: string, data: unknown, error: ParseResult.ParseError) => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
  const meant = new Set<string>()
  for (const issue of issues) {
    if (issue._tag !== "Unexpected") continue
    const parent = issue.path.slice(0, -1)
    const best = suggest(String(issue.path[issue.path.length - 1]), knownKeysAt(parent) ?? [])
    if (best !== undefined) meant.add(keyPath([...parent, best]))
  }
  // A union reports each member: a member that got further into the value (a deeper issue) is the one meant.
  const within = (outer: ReadonlyArray<PropertyKey>, inner: ReadonlyArray<PropertyKey>) =>
    inner.length > outer.length && outer.every((segment, i) => inner[i] === segment)
  const byUnit = new Map<string, { at: ReadonlyArray<PropertyKey>; issues: Array<ParseResult.ArrayFormatterIssue> }>()
  for (const issue of issues) {
    if (issue._tag === "Missing" && meant.has(keyPath(issue.path))) continue
    if (issue._tag !== "Unexpected" && issues.some((other) => within(issue.path, other.path))) continue
    const unit = unitOf(issue.path)
    const key = keyPath(unit)
    if (!byUnit.has(key)) byUnit.set(key, { at: unit, issues: [] })
    byUnit.get(key)!.issues.push(issue)
  }
  const found: Array<{ error: InvalidSpec; at: ReadonlyArray<PropertyKey> }> = []
  for (const { issues: unitIssues } of byUnit.values()) {
    const unexpected = unitIssues.filter((i) => i._tag === "Unexpected")
    for (const issue of unexpected.length > 0 ? unexpected : [unitIssues[0]!]) {
      found.push({ error: issueProblem(source, data, issue), at: issue.path })
    }
  }
  return { found, units: Array.from(byUnit.values(), (u) => u.at) }
}
