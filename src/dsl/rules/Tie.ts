import { Effect } from "effect"
import { valueKey } from "../../domain/SpecValue.js"
import type { InvalidSpec } from "../../errors/InvalidSpec.js"
import type { Rule } from "../ParsedSpec.js"
import type { RuleState } from "./RuleState.js"

/** A tie rule: `ties: { name: [axes] }`. */
type TieRule = Extract<Rule, { _tag: "tie" }>

/**
 * Replaces the tied axes by one axis of their shared levels (in the first axis's order), placed where
 * the first of them stood; every row then gives the tied columns the same value. A tie may be named
 * like one of its own axes.
 */
export const applyTie = (s: RuleState, rule: TieRule): Effect.Effect<void, InvalidSpec> =>
  Effect.suspend(() => {
    for (const name of rule.axes) if (!s.axes.has(name)) return s.missingAxis(rule, name)
    const [first, ...rest] = rule.axes
    const others = rest.map((name) => s.domain(name))
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
    return Effect.void
  })
