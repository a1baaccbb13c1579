import { Effect } from "effect"
import { showValue, type SpecValue } from "../domain/SpecValue.js"
import { InvalidSpec } from "../errors/InvalidSpec.js"
import type { RuleState } from "./rules/RuleState.js"

/** Where a design column's value sits in a Cartesian combination: an axis, then indexes into tuples. */
export interface Accessor {
  readonly axis: number
  readonly path: ReadonlyArray<number>
}

/** The design's columns, in order, and where each one's value is read from a combination. */
export interface RowLayout {
  readonly columns: ReadonlyArray<string>
  readonly accessors: ReadonlyArray<Accessor>
}

type Row = Map<string, Accessor>

/**
 * Replaces each pair's or tuple's column by its parts. Fails where the original's row expansion
 * fails: a column whose values (through a reused rule name) are not lists of the rule's arity.
 */
const expandCoupled = (
  s: RuleState,
  row: Row,
  meta: ReadonlyMap<string, ReadonlyArray<string>>,
  kind: "pair" | "tuple",
  fromPair: Set<string>
): Effect.Effect<void, InvalidSpec> =>
  Effect.suspend(() => {
    const valuesAt = (acc: Accessor): Array<SpecValue> =>
      s.axes.get(s.order[acc.axis]!)!.map((level) =>
        acc.path.reduce<SpecValue>((v, i) => (v as ReadonlyArray<SpecValue>)[i]!, level)
      )
    const done: Array<string> = []
    for (const [name, parts] of meta) {
      const acc = row.get(name)
      if (acc === undefined) continue
      const bad = valuesAt(acc).find((v) => !Array.isArray(v) || v.length !== parts.length)
      if (bad !== undefined) {
        return new InvalidSpec({
          path: s.source,
          key: name,
          reason: `the ${kind} ${name} is expanded from a value that is not a list of ${parts.length} ` +
            `(${parts.join(", ")}); a rule's name reuses another rule's or axis's name`,
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
    return Effect.void
  })

/** Gives each tied axis back its column, reading the tie's value. */
const restoreTies = (s: RuleState, row: Row, fromPair: ReadonlySet<string>): void => {
  for (const [original, canonical] of s.tieBack) {
    if (original === canonical || row.has(original)) continue
    const source = row.get(canonical) ??
      // A pair over a tied axis consumed the tie's column: restore the siblings from the side it kept (a
      // documented difference). A tuple over a tied axis drops them, as in the original.
      Array.from(s.tieBack).filter(([o, c]) => c === canonical && fromPair.has(o) && row.has(o)).map(([o]) =>
        row.get(o)
      )[0]
    if (source !== undefined) row.set(original, source)
  }
}

/**
 * How every row is laid out, found once on column names (all rows share it): pairs append left then
 * right, tuples append their components, ties restore their axes, then `field_order` comes first.
 */
export const rowLayout = (s: RuleState, fieldOrder: ReadonlyArray<string>): Effect.Effect<RowLayout, InvalidSpec> =>
  Effect.gen(function*() {
    const row: Row = new Map(s.order.map((name, axis) => [name, { axis, path: [] }]))
    const fromPair = new Set<string>()
    yield* expandCoupled(s, row, s.pairMeta, "pair", fromPair)
    yield* expandCoupled(s, row, s.tupleMeta, "tuple", fromPair)
    restoreTies(s, row, fromPair)
    const order = Array.from(new Set(fieldOrder)).filter((f) => row.has(f))
    const columns = [...order, ...Array.from(row.keys()).filter((k) => !order.includes(k))]
    return { columns, accessors: columns.map((c) => row.get(c)!) }
  })
