import { Effect } from "effect"
import { showValue, valueKey } from "../../domain/SpecValue.js"
import type { InvalidSpec } from "../../errors/InvalidSpec.js"
import type { Rule } from "../ParsedSpec.js"
import type { RuleState } from "./RuleState.js"

/** A subset rule: `subsets: { axis: [levels to keep] }`. */
type SubsetRule = Extract<Rule, { _tag: "subset" }>

/**
 * Keeps the listed levels of an axis, in the axis's order. A listed value that is no level is a
 * warning (the original ignored it); keeping nothing is an error.
 */
export const applySubset = (s: RuleState, rule: SubsetRule): Effect.Effect<void, InvalidSpec> =>
  Effect.suspend(() => {
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
    return Effect.void
  })
