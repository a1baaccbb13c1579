import { Effect } from "effect"
import { showValue, type SpecValue, valueKey } from "../../domain/SpecValue.js"
import type { InvalidSpec } from "../../errors/InvalidSpec.js"
import type { Rule } from "../ParsedSpec.js"
import type { RuleState } from "./RuleState.js"

/** A pair rule: `pairs: { name: { left, right, allowed, balance? } }`. */
type PairRule = Extract<Rule, { _tag: "pair" }>

/** The allowed `[left, right]` pairs, checked against both axes' levels, duplicates dropped. */
const allowedPairs = (
  s: RuleState,
  rule: PairRule,
  left: string,
  right: string
): Effect.Effect<Array<SpecValue>, InvalidSpec> =>
  Effect.suspend(() => {
    const leftDomain = s.domain(left)
    const rightDomain = s.domain(right)
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
    return Effect.succeed(pairs)
  })

/** Fails when a balanced side's values do not all occur equally often among the pairs. */
const checkBalance = (
  s: RuleState,
  rule: PairRule,
  pairs: ReadonlyArray<SpecValue>
): Effect.Effect<void, InvalidSpec> =>
  Effect.suspend(() => {
    if (rule.balance === undefined) return Effect.void
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
    return Effect.void
  })

/**
 * Replaces two axes by one axis of their allowed `[left, right]` pairs, placed where the earlier of
 * the two stood. A side that names a tied axis couples the tie.
 */
export const applyPair = (s: RuleState, rule: PairRule): Effect.Effect<void, InvalidSpec> =>
  Effect.gen(function*() {
    if (rule.left === rule.right) {
      return yield* s.fail(rule, "left and right must name different axes", { value: rule.left })
    }
    if (rule.allowed.length === 0) return yield* s.fail(rule, "allowed lists no pair", { key: `${rule.at}.allowed` })
    const left = s.resolve(rule.left)
    const right = s.resolve(rule.right)
    if (!s.axes.has(left)) return yield* s.missingAxis(rule, rule.left, `${rule.at}.left`)
    if (!s.axes.has(right)) return yield* s.missingAxis(rule, rule.right, `${rule.at}.right`)
    yield* s.freshName(rule)
    const pairs = yield* allowedPairs(s, rule, left, right)
    yield* checkBalance(s, rule, pairs)
    s.axes.set(rule.name, pairs)
    s.pairMeta.set(rule.name, [rule.left, rule.right])
    const insertAt = Math.min(s.order.indexOf(left), s.order.indexOf(right))
    s.remove(left)
    s.remove(right)
    s.order.splice(insertAt, 0, rule.name)
  })
