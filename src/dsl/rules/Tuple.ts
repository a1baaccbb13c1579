import { Effect } from "effect"
import { type SpecValue, valueKey } from "../../domain/SpecValue.js"
import type { InvalidSpec } from "../../errors/InvalidSpec.js"
import type { Rule } from "../ParsedSpec.js"
import type { RuleState } from "./RuleState.js"

/** A tuple rule: `tuples: { name: { axes, items } }`. */
type TupleRule = Extract<Rule, { _tag: "tuple" }>

/** The listed items, each checked against the levels of its axes, duplicates dropped. */
const tupleItems = (
  s: RuleState,
  rule: TupleRule,
  resolved: ReadonlyArray<string>
): Effect.Effect<Array<SpecValue>, InvalidSpec> =>
  Effect.suspend(() => {
    const domains = resolved.map((name) => s.domain(name))
    const items: Array<SpecValue> = []
    const seen = new Set<string>()
    for (const [i, item] of rule.items.entries()) {
      const key = `${rule.at}.items[${i}]`
      if (!Array.isArray(item) || item.length !== rule.axes.length) {
        const reason = `each item must list ${rule.axes.length} values (${rule.axes.join(", ")})`
        return s.fail(rule, reason, { key, value: item })
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
    return Effect.succeed(items)
  })

/**
 * Replaces several axes by one axis of the listed items (one value per axis), placed where the first
 * of them stood. An axis that names a tied axis couples the tie.
 */
export const applyTuple = (s: RuleState, rule: TupleRule): Effect.Effect<void, InvalidSpec> =>
  Effect.gen(function*() {
    if (rule.items.length === 0) return yield* s.fail(rule, "items lists no tuple", { key: `${rule.at}.items` })
    const resolved = rule.axes.map((a) => s.resolve(a))
    for (const [i, name] of resolved.entries()) {
      if (!s.axes.has(name)) return yield* s.missingAxis(rule, rule.axes[i]!, `${rule.at}.axes[${i}]`)
    }
    yield* s.freshName(rule)
    const items = yield* tupleItems(s, rule, resolved)
    const insertAt = Math.min(...resolved.map((name) => s.order.indexOf(name)))
    s.axes.set(rule.name, items)
    s.order.splice(insertAt, 0, rule.name)
    s.tupleMeta.set(rule.name, rule.axes)
    for (const name of resolved) s.remove(name)
  })
