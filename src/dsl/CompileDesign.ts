import { Effect } from "effect"
import type { Design } from "../domain/CohortDefinition.js"
import { type SpecValue, showValue, valueKey } from "../domain/SpecValue.js"
import { InvalidSpec } from "../errors/InvalidSpec.js"
import type { ParsedSpec, Rule } from "./ParsedSpec.js"
import { PyRandom } from "./PyRandom.js"
import { didYouMean } from "./Suggest.js"

/** Where a design column's value sits in a Cartesian combination: an axis, then indexes into tuples. */
interface Accessor {
  readonly axis: number
  readonly path: ReadonlyArray<number>
}

/**
 * A spec after its rules: the axes of the Cartesian product (in order, de-duplicated levels) and how
 * each design column is read from a combination. Computing it never expands the product.
 */
export interface DesignLayout {
  readonly source: string
  readonly axisOrder: ReadonlyArray<string>
  readonly levels: ReadonlyArray<ReadonlyArray<SpecValue>>
  readonly columns: ReadonlyArray<string>
  readonly accessors: ReadonlyArray<Accessor>
  /** Rows of the design: the product of the post-rule domain sizes. */
  readonly size: number
  readonly warnings: ReadonlyArray<string>
}

const dedupe = (values: ReadonlyArray<SpecValue>): Array<SpecValue> => {
  const seen = new Set<string>()
  const out: Array<SpecValue> = []
  for (const v of values) {
    const k = valueKey(v)
    if (!seen.has(k)) {
      seen.add(k)
      out.push(v)
    }
  }
  return out
}

class State {
  readonly axes = new Map<string, Array<SpecValue>>()
  readonly order: Array<string> = []
  readonly tieBack = new Map<string, string>()
  readonly pairMeta = new Map<string, readonly [string, string]>()
  readonly tupleMeta = new Map<string, ReadonlyArray<string>>()
  readonly warnings: Array<string> = []
  constructor(readonly source: string) {}

  fail(rule: Rule, reason: string, extra: { key?: string; value?: unknown; hint?: string } = {}): InvalidSpec {
    const hint = extra.hint ?? (rule.include === undefined ? undefined : `values from ${rule.include}`)
    return new InvalidSpec({
      path: this.source,
      key: extra.key ?? rule.at,
      reason,
      ...(extra.value === undefined ? {} : { value: showValue(extra.value) }),
      ...(hint === undefined ? {} : { hint })
    })
  }
  missingAxis(rule: Rule, name: string, key?: string): InvalidSpec {
    return this.fail(rule, "names no axis (or one an earlier rule already coupled)", {
      ...(key === undefined ? {} : { key }),
      value: name,
      hint: didYouMean(name, this.order)
    })
  }
  remove(name: string): void {
    this.axes.delete(name)
    const i = this.order.indexOf(name)
    if (i >= 0) this.order.splice(i, 1)
  }
  resolve(name: string): string {
    return this.tieBack.get(name) ?? name
  }
  freshName(rule: Rule & { name: string }): InvalidSpec | undefined {
    return this.axes.has(rule.name)
      ? this.fail(rule, "a rule's name must differ from every axis", { value: rule.name })
      : undefined
  }
}

const applySubset = (s: State, rule: Extract<Rule, { _tag: "subset" }>): InvalidSpec | undefined => {
  const levels = s.axes.get(rule.axis)
  if (levels === undefined) return s.missingAxis(rule, rule.axis)
  const keep = new Set(rule.keep.map(valueKey))
  const have = new Set(levels.map(valueKey))
  for (const value of rule.keep) {
    if (!have.has(valueKey(value))) {
      s.warnings.push(`${s.source}: ${rule.at}: ${showValue(value)} is not a level of ${rule.axis}`)
    }
  }
  const filtered = levels.filter((v) => keep.has(valueKey(v)))
  if (filtered.length === 0) return s.fail(rule, `keeps no level of ${rule.axis}`, { value: rule.keep })
  s.axes.set(rule.axis, filtered)
  return undefined
}

const applyTie = (s: State, rule: Extract<Rule, { _tag: "tie" }>): InvalidSpec | undefined => {
  for (const name of rule.axes) if (!s.axes.has(name)) return s.missingAxis(rule, name)
  const [first, ...rest] = rule.axes
  const others = rest.map((name) => new Set(s.axes.get(name)!.map(valueKey)))
  const intersection = s.axes.get(first!)!.filter((v) => others.every((o) => o.has(valueKey(v))))
  if (intersection.length === 0) {
    return s.fail(rule, "the tied axes share no level", { value: rule.axes })
  }
  if (s.axes.has(rule.name) && !rule.axes.includes(rule.name)) {
    return s.fail(rule, "a rule's name must differ from every axis", { value: rule.name })
  }
  s.axes.set(rule.name, intersection)
  const firstIndex = Math.min(...rule.axes.map((n) => s.order.indexOf(n)).filter((i) => i >= 0))
  if (!s.order.includes(rule.name)) s.order.splice(Number.isFinite(firstIndex) ? firstIndex : 0, 0, rule.name)
  if (!s.tieBack.has(rule.name)) s.tieBack.set(rule.name, rule.name)
  for (const name of rule.axes) {
    s.tieBack.set(name, rule.name)
    if (name !== rule.name) s.remove(name)
  }
  return undefined
}

const applyPair = (s: State, rule: Extract<Rule, { _tag: "pair" }>): InvalidSpec | undefined => {
  if (rule.left === rule.right) return s.fail(rule, "left and right must name different axes", { value: rule.left })
  if (rule.allowed.length === 0) return s.fail(rule, "allowed lists no pair", { key: `${rule.at}.allowed` })
  const left = s.resolve(rule.left)
  const right = s.resolve(rule.right)
  if (!s.axes.has(left)) return s.missingAxis(rule, rule.left, `${rule.at}.left`)
  if (!s.axes.has(right)) return s.missingAxis(rule, rule.right, `${rule.at}.right`)
  const clash = s.freshName(rule)
  if (clash !== undefined) return clash
  const leftDomain = new Set(s.axes.get(left)!.map(valueKey))
  const rightDomain = new Set(s.axes.get(right)!.map(valueKey))
  const pairs: Array<SpecValue> = []
  const seen = new Set<string>()
  for (const [i, entry] of rule.allowed.entries()) {
    const key = `${rule.at}.allowed[${i}]`
    if (!Array.isArray(entry) || entry.length !== 2) {
      return s.fail(rule, "each allowed entry must be a [left, right] pair", { key, value: entry })
    }
    const [l, r] = entry as ReadonlyArray<SpecValue>
    if (!leftDomain.has(valueKey(l!))) {
      return s.fail(rule, `left value is not a level of ${rule.left}`, { key, value: l })
    }
    if (!rightDomain.has(valueKey(r!))) {
      return s.fail(rule, `right value is not a level of ${rule.right}`, { key, value: r })
    }
    const k = valueKey(entry as SpecValue)
    if (!seen.has(k)) {
      seen.add(k)
      pairs.push(entry as SpecValue)
    }
  }
  if (rule.balance !== undefined) {
    for (const side of rule.balance === "both" ? [0, 1] : rule.balance === "left" ? [0] : [1]) {
      const counts = new Map<string, [SpecValue, number]>()
      for (const pair of pairs) {
        const v = (pair as ReadonlyArray<SpecValue>)[side]!
        const entry = counts.get(valueKey(v))
        if (entry === undefined) counts.set(valueKey(v), [v, 1])
        else entry[1]++
      }
      if (new Set(Array.from(counts.values(), ([, n]) => n)).size > 1) {
        const shown = Array.from(counts.values(), ([v, n]) => `${showValue(v)}×${n}`).join(", ")
        return s.fail(rule, `unbalanced ${side === 0 ? "left" : "right"} side: ${shown}`, {
          key: `${rule.at}.balance`,
          hint: "every value on a balanced side must occur equally often"
        })
      }
    }
  }
  s.axes.set(rule.name, pairs)
  s.pairMeta.set(rule.name, [rule.left, rule.right])
  const insertAt = Math.min(s.order.indexOf(left), s.order.indexOf(right))
  s.remove(left)
  s.remove(right)
  s.order.splice(insertAt, 0, rule.name)
  return undefined
}

const applyTuple = (s: State, rule: Extract<Rule, { _tag: "tuple" }>): InvalidSpec | undefined => {
  if (rule.items.length === 0) return s.fail(rule, "items lists no tuple", { key: `${rule.at}.items` })
  const resolved = rule.axes.map((a) => s.resolve(a))
  for (const [i, name] of resolved.entries()) {
    if (!s.axes.has(name)) return s.missingAxis(rule, rule.axes[i]!, `${rule.at}.axes[${i}]`)
  }
  const clash = s.freshName(rule)
  if (clash !== undefined) return clash
  const domains = resolved.map((name) => new Set(s.axes.get(name)!.map(valueKey)))
  const items: Array<SpecValue> = []
  const seen = new Set<string>()
  for (const [i, item] of rule.items.entries()) {
    const key = `${rule.at}.items[${i}]`
    if (!Array.isArray(item) || item.length !== rule.axes.length) {
      return s.fail(rule, `each item must list ${rule.axes.length} values (${rule.axes.join(", ")})`, { key, value: item })
    }
    for (const [j, value] of (item as ReadonlyArray<SpecValue>).entries()) {
      if (!domains[j]!.has(valueKey(value))) {
        return s.fail(rule, `value is not a level of ${rule.axes[j]}`, { key: `${key}[${j}]`, value })
      }
    }
    const k = valueKey(item as SpecValue)
    if (!seen.has(k)) {
      seen.add(k)
      items.push(item as SpecValue)
    }
  }
  const insertAt = Math.min(...resolved.map((name) => s.order.indexOf(name)))
  s.axes.set(rule.name, items)
  s.order.splice(insertAt, 0, rule.name)
  s.tupleMeta.set(rule.name, rule.axes)
  for (const name of resolved) s.remove(name)
  return undefined
}

/**
 * How every row is laid out, found once on column names (all rows share it): pairs append left then
 * right, tuples append their components, ties restore their axes, then `field_order` comes first.
 * Fails where the original's row expansion fails: a pair or tuple column whose values (through a
 * reused rule name) are not lists of its arity.
 */
const layout = (s: State, fieldOrder: ReadonlyArray<string>): InvalidSpec | { columns: Array<string>; accessors: Array<Accessor> } => {
  const row = new Map<string, Accessor>(s.order.map((name, axis) => [name, { axis, path: [] }]))
  const fromPair = new Set<string>()
  const valuesAt = (acc: Accessor): Array<SpecValue> =>
    s.axes.get(s.order[acc.axis]!)!.map((level) => acc.path.reduce<SpecValue>((v, i) => (v as ReadonlyArray<SpecValue>)[i]!, level))
  const expand = (meta: Map<string, ReadonlyArray<string>>, kind: "pair" | "tuple"): InvalidSpec | undefined => {
    const done: Array<string> = []
    for (const [name, parts] of meta) {
      const acc = row.get(name)
      if (acc === undefined) continue
      const bad = valuesAt(acc).find((v) => !Array.isArray(v) || v.length !== parts.length)
      if (bad !== undefined) {
        return new InvalidSpec({
          path: s.source,
          key: name,
          reason: `the ${kind} ${name} is expanded from a value that is not a list of ${parts.length} (${parts.join(", ")}); ` +
            "a rule's name reuses another rule's or axis's name",
          value: showValue(bad),
          hint: "give every rule its own name"
        })
      }
      parts.forEach((part, i) => {
        row.set(part, { axis: acc.axis, path: [...acc.path, i] })
        if (kind === "pair") fromPair.add(part)
      })
      done.push(name)
    }
    for (const name of done) row.delete(name)
    return undefined
  }
  const pairs = expand(s.pairMeta, "pair")
  if (pairs !== undefined) return pairs
  const tuples = expand(s.tupleMeta, "tuple")
  if (tuples !== undefined) return tuples
  for (const [original, canonical] of s.tieBack) {
    if (original === canonical || row.has(original)) continue
    const source = row.get(canonical) ??
      // A pair over a tied axis consumed the tie's column: restore the siblings from the side it kept (a
      // documented difference). A tuple over a tied axis drops them, as in the original.
      Array.from(s.tieBack).filter(([o, c]) => c === canonical && fromPair.has(o) && row.has(o)).map(([o]) => row.get(o))[0]
    if (source !== undefined) row.set(original, source)
  }
  const order = Array.from(new Set(fieldOrder)).filter((f) => row.has(f))
  const columns = [...order, ...Array.from(row.keys()).filter((k) => !order.includes(k))]
  return { columns, accessors: columns.map((c) => row.get(c)!) }
}

/** Applies the rules of a spec to its axes (subsets, ties, pairs, tuples) without expanding the product. */
export const layoutDesign = (spec: ParsedSpec): Effect.Effect<DesignLayout, InvalidSpec> =>
  Effect.suspend(() => {
    const s = new State(spec.source)
    for (const axis of spec.axes) {
      s.axes.set(axis.name, dedupe(axis.levels))
      s.order.push(axis.name)
    }
    for (const rule of spec.rules) {
      const failure = rule._tag === "subset"
        ? applySubset(s, rule)
        : rule._tag === "tie"
        ? applyTie(s, rule)
        : rule._tag === "pair"
        ? applyPair(s, rule)
        : applyTuple(s, rule)
      if (failure !== undefined) return Effect.fail(failure)
    }
    const levels = s.order.map((name) => s.axes.get(name)!)
    for (const [i, l] of levels.entries()) {
      if (l.length === 0) s.warnings.push(`${spec.source}: axis ${s.order[i]} has no levels, so the design is empty`)
    }
    const size = levels.reduce((n, l) => n * l.length, 1)
    const laid = layout(s, spec.fieldOrder)
    // The original expands rows one by one: an empty design never meets a bad pair or tuple value.
    if (laid instanceof InvalidSpec && size > 0) return Effect.fail(laid)
    // Rows name the columns; with no row, the original's design CSV has field_order as its header, as written.
    const empty = levels.findIndex((l) => l.length === 0)
    const { accessors, columns } = size === 0
      ? { columns: [...spec.fieldOrder], accessors: spec.fieldOrder.map((): Accessor => ({ axis: empty, path: [] })) }
      : laid as Exclude<typeof laid, InvalidSpec>
    return Effect.succeed({
      source: spec.source,
      axisOrder: s.order,
      levels,
      columns,
      accessors,
      size,
      warnings: [...spec.warnings, ...s.warnings]
    })
  })

/** The number of design rows a spec yields, from its rules alone. */
export const estimateRows = (spec: ParsedSpec): Effect.Effect<number, InvalidSpec> =>
  Effect.map(layoutDesign(spec), (layout) => layout.size)

/** @deprecated Renamed `layoutDesign`. */
export const planDesign = layoutDesign

/** @deprecated Renamed `DesignLayout`. */
export type DesignPlan = DesignLayout

/** A design whose rows are produced on demand from its layout (no row objects are kept). */
export interface CompiledDesign extends Design {
  readonly layout: DesignLayout
  /** @deprecated Renamed `layout`. */
  readonly plan: DesignLayout
  readonly seed: number | bigint | undefined
}

/** Rows of a layout, in product order or in the order Python's `Random(seed).shuffle` leaves them. */
export const designOf = (layout: DesignLayout, seed?: number | bigint): CompiledDesign => {
  const { accessors, levels, size } = layout
  const n = levels.length
  const radix = levels.map((l) => l.length)
  // The shuffled order is computed once, on first use, and shared by every visit.
  let order: Uint32Array | undefined
  /** Visits the level index of every axis, row by row (one reused array). */
  const forEachLevels = (
    f: (digits: ReadonlyArray<number>, index: number) => boolean | void,
    range?: { readonly from: number; readonly to: number }
  ): void => {
    const from = Math.max(0, range?.from ?? 0)
    const to = Math.min(size, range?.to ?? size)
    if (from >= to) return
    if (seed !== undefined && order === undefined) order = new PyRandom(seed).shuffleIndices(size)
    const digits = new Array<number>(n).fill(0)
    const decode = (index: number) => {
      let idx = index
      for (let a = n - 1; a >= 0; a--) {
        digits[a] = idx % radix[a]!
        idx = (idx - digits[a]!) / radix[a]!
      }
    }
    if (order === undefined) decode(from)
    for (let k = from; k < to; k++) {
      if (order !== undefined) decode(order[k]!)
      else if (k > from) {
        for (let a = n - 1; a >= 0; a--) {
          if (++digits[a]! < radix[a]!) break
          digits[a] = 0
        }
      }
      if (f(digits, k) === false) return
    }
  }
  // Each column reads one axis: its value at each level of that axis, computed once.
  const columnValues = accessors.map((acc) =>
    levels[acc.axis]!.map((level) => {
      let v = level
      for (const i of acc.path) v = (v as ReadonlyArray<SpecValue>)[i]!
      return v
    })
  )
  const columnAxes = accessors.map((acc) => acc.axis)
  return {
    layout,
    plan: layout,
    seed,
    columns: layout.columns,
    size,
    levels: { columnAxes, columnValues, forEach: forEachLevels },
    forEachRow(f, range) {
      const row: Array<SpecValue> = new Array(accessors.length)
      forEachLevels((digits, k) => {
        for (let c = 0; c < row.length; c++) row[c] = columnValues[c]![digits[columnAxes[c]!]!]!
        return f(row, k)
      }, range)
    }
  }
}

/** The default cap on design rows: a design above it is refused before any row is made. */
export const DEFAULT_MAX_ROWS = 5_000_000

/** Options of `compileDesign`. */
export interface CompileOptions {
  /** Shuffle the Cartesian rows as Python's `random.Random(seed).shuffle` would. */
  readonly seed?: number | bigint
  /** Refuse designs with more rows than this, before any row is made (default 5,000,000; `Infinity` lifts it). */
  readonly maxRows?: number
}

/** The design rows of a spec: rules applied, the product expanded lazily. */
export const compileDesign = (spec: ParsedSpec, options: CompileOptions = {}): Effect.Effect<CompiledDesign, InvalidSpec> =>
  Effect.flatMap(layoutDesign(spec), (layout) => {
    if (options.seed !== undefined && typeof options.seed === "number" && !Number.isSafeInteger(options.seed)) {
      return new InvalidSpec({ path: spec.source, reason: "the seed must be a whole number", value: String(options.seed) })
    }
    const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS
    if (layout.size > maxRows) {
      return new InvalidSpec({
        path: spec.source,
        reason: `the design would have ${layout.size} rows, more than the limit of ${maxRows}`,
        hint: "narrow the axes with subsets/pairs/tuples, or raise the limit (--max-rows)"
      })
    }
    // Python's Random(n) seeds with abs(n): -7 shuffles as 7 does.
    const seed = options.seed === undefined ? undefined : options.seed < 0 ? -options.seed : options.seed
    return Effect.succeed(designOf(layout, seed))
  })
