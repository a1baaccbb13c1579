import { Effect } from "effect"
import { showValue, type SpecValue, valueKey } from "../../domain/SpecValue.js"
import { InvalidSpec } from "../../errors/InvalidSpec.js"
import type { Rule } from "../ParsedSpec.js"
import { didYouMean } from "../Suggest.js"

/** Values in first-seen order, duplicates (by value, not identity) dropped. */
export const dedupe = (values: ReadonlyArray<SpecValue>): Array<SpecValue> => {
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

/**
 * The axes of a spec while its rules apply, in order: each rule (subset, tie, pair, tuple) reads and
 * rewrites them. Ties, pairs and tuples record what they coupled, so the row layout can restore the
 * original columns afterwards.
 */
export class RuleState {
  readonly axes = new Map<string, Array<SpecValue>>()
  readonly order: Array<string> = []
  /** A tied axis → the tie that replaced it (a tie also maps to itself). */
  readonly tieBack = new Map<string, string>()
  /** A pair's name → the axes it coupled (left, right). */
  readonly pairMeta = new Map<string, readonly [string, string]>()
  /** A tuple's name → the axes it coupled. */
  readonly tupleMeta = new Map<string, ReadonlyArray<string>>()
  readonly warnings: Array<string> = []
  constructor(readonly source: string) {}

  /** The error of a rule, at the rule's key unless another is given; names the include it came from. */
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

  /** Fails a pair or tuple named like an axis still in play. */
  freshName(rule: Rule & { name: string }): Effect.Effect<void, InvalidSpec> {
    return this.axes.has(rule.name)
      ? this.fail(rule, "a rule's name must differ from every axis", { value: rule.name })
      : Effect.void
  }

  remove(name: string): void {
    this.axes.delete(name)
    const i = this.order.indexOf(name)
    if (i >= 0) this.order.splice(i, 1)
  }

  /** The axis a name stands for now: a tied axis reads as its tie. */
  resolve(name: string): string {
    return this.tieBack.get(name) ?? name
  }

  /** The levels of an axis as a set of value keys. */
  domain(name: string): Set<string> {
    return new Set(this.axes.get(name)!.map(valueKey))
  }
}
