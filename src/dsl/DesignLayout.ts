import { Effect } from "effect"
import type { SpecValue } from "../domain/SpecValue.js"
import type { InvalidSpec } from "../errors/InvalidSpec.js"
import type { ParsedSpec, Rule } from "./ParsedSpec.js"
import { type Accessor, rowLayout } from "./RowLayout.js"
import { applyPair } from "./rules/Pair.js"
import { dedupe, RuleState } from "./rules/RuleState.js"
import { applySubset } from "./rules/Subset.js"
import { applyTie } from "./rules/Tie.js"
import { applyTuple } from "./rules/Tuple.js"
import { attempt, isTainted, type ProblemSink, ruleNames, ruleSegments } from "./SpecProblems.js"

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

const applyRule = (s: RuleState, rule: Rule): Effect.Effect<void, InvalidSpec> => {
  switch (rule._tag) {
    case "subset":
      return applySubset(s, rule)
    case "tie":
      return applyTie(s, rule)
    case "pair":
      return applyPair(s, rule)
    case "tuple":
      return applyTuple(s, rule)
  }
}

const ruleState = (spec: ParsedSpec): RuleState => {
  const s = new RuleState(spec.source)
  for (const axis of spec.axes) {
    s.axes.set(axis.name, dedupe(axis.levels))
    s.order.push(axis.name)
  }
  return s
}

/**
 * Applies every rule that can be checked on its own, recording each rule's problem in the sink (one per
 * rule: its first). A rule that names an axis or rule an earlier problem left unknowable is skipped, and
 * what it names becomes unknowable in turn: its error would only echo the first.
 */
export const collectRuleProblems = (spec: ParsedSpec, sink: ProblemSink): Effect.Effect<void> =>
  Effect.gen(function*() {
    const s = ruleState(spec)
    for (const rule of spec.rules) {
      const names = ruleNames(rule)
      if (names.some((n) => isTainted(sink, n) || isTainted(sink, s.resolve(n)))) {
        for (const n of names) sink.tainted.add(n)
        continue
      }
      yield* Effect.orDie(attempt(sink, ruleSegments(rule), applyRule(s, rule), names))
    }
  })

/** Applies the rules of a spec to its axes (subsets, ties, pairs, tuples) without expanding the product. */
export const layoutDesign = (spec: ParsedSpec): Effect.Effect<DesignLayout, InvalidSpec> =>
  Effect.gen(function*() {
    const s = ruleState(spec)
    for (const rule of spec.rules) yield* applyRule(s, rule)
    const levels = s.order.map((name) => s.axes.get(name)!)
    for (const [i, l] of levels.entries()) {
      if (l.length === 0) s.warnings.push(`${spec.source}: axis ${s.order[i]} has no levels, so the design is empty`)
    }
    const size = levels.reduce((n, l) => n * l.length, 1)
    // The original expands rows one by one: an empty design never meets a bad pair or tuple value, and
    // with no row to name the columns, its design CSV has field_order as its header, as written.
    const empty = levels.findIndex((l) => l.length === 0)
    const { accessors, columns } = size === 0
      ? { columns: [...spec.fieldOrder], accessors: spec.fieldOrder.map((): Accessor => ({ axis: empty, path: [] })) }
      : yield* rowLayout(s, spec.fieldOrder)
    return {
      source: spec.source,
      axisOrder: s.order,
      levels,
      columns,
      accessors,
      size,
      warnings: [...spec.warnings, ...s.warnings]
    }
  })

/** The number of design rows a spec yields, from its rules alone. */
export const estimateRows = (spec: ParsedSpec): Effect.Effect<number, InvalidSpec> =>
  Effect.map(layoutDesign(spec), (layout) => layout.size)

/** @deprecated Renamed `layoutDesign`. */
export const planDesign = layoutDesign

/** @deprecated Renamed `DesignLayout`. */
export type DesignPlan = DesignLayout
