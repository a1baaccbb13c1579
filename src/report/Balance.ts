import type { MembershipRows } from "../domain/MembershipRows.js"
import { type Stage, STAGES } from "../domain/Stage.js"
import type { Rule } from "../dsl/ParsedSpec.js"
import {
  carries,
  deeper,
  levelOf,
  type Lineage,
  LINEAGE_AXES,
  type LineageAxis,
  lineageAxis,
  NOT_IN_MEMBERSHIP
} from "./Lineage.js"

/** How a level's count compares with the count most levels of its axis get (the mode). */
export type LevelMark = "usual" | "more" | "fewer"

/** One level of an axis and how many generations of a stage it gets. */
export interface LevelCount {
  readonly level: string
  readonly count: number
  readonly mark: LevelMark
}

/** How one design axis spreads over the generations of one stage. */
export interface AxisBalance {
  readonly axis: string
  readonly stage: Stage
  /** Levels in sorted order. */
  readonly levels: ReadonlyArray<LevelCount>
  /** The count most levels get (the larger one on a tie). */
  readonly usual: number
  readonly balanced: boolean
}

/** One cell of a coupling: a left and a right level and the generations that have both. */
export interface CellCount {
  readonly left: string
  readonly right: string
  readonly count: number
  readonly mark: LevelMark
}

/** A pair, tie or tuple of the spec: its coupled levels counted at the deepest stage they reach. */
export interface Coupling {
  readonly rule: "pair" | "tie" | "tuple"
  readonly name: string
  readonly left: ReadonlyArray<string>
  readonly right: ReadonlyArray<string>
  readonly stage: Stage
  /** The non-empty cells (level combinations the membership has), sorted by left then right. */
  readonly cells: ReadonlyArray<CellCount>
  readonly usual: number
  readonly balanced: boolean
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** The count most entries have; the larger on a tie. */
export const usualCount = (counts: Iterable<number>): number => {
  const freq = new Map<number, number>()
  for (const c of counts) freq.set(c, (freq.get(c) ?? 0) + 1)
  let best = 0
  let bestFreq = 0
  for (const [c, f] of freq) if (f > bestFreq || (f === bestFreq && c > best)) [best, bestFreq] = [c, f]
  return best
}

const markOf = (
  count: number,
  usual: number
): LevelMark => (count === usual ? "usual" : count > usual ? "more" : "fewer")

const tally = (n: number, stage: Stage, rows: MembershipRows, key: (i: number) => string): Map<string, number> => {
  const counts = new Map<string, number>()
  for (let i = 0; i < n; i++) {
    if (rows.stage[i] !== stage) continue
    const k = key(i)
    counts.set(k, (counts.get(k) ?? 0) + 1)
  }
  return counts
}

/**
 * How many rows of `stage` descend from each row (by index), through `ancestor`; the rows whose ancestor
 * is not in the membership are counted in `orphans`.
 */
const descendants = (rows: MembershipRows, stage: Stage, ancestor: (i: number) => number) => {
  const weights = new Float64Array(rows.genId.length)
  let orphans = 0
  for (let i = 0; i < rows.genId.length; i++) {
    if (rows.stage[i] !== stage) continue
    const j = ancestor(i)
    if (j < 0) orphans++
    else weights[j]!++
  }
  return { weights, orphans }
}

/**
 * Counts of every level of every axis a stage's generations carry (their own fields and their parents').
 * Each stage's rows are counted once per ancestor stage, then summed per level over the ancestors: 21
 * axis-stage pairs cost six passes over the membership, not 21.
 */
export const axisBalances = (rows: MembershipRows, lineage: Lineage): Array<AxisBalance> => {
  const out: Array<AxisBalance> = []
  for (const stage of STAGES) {
    if (rows.counts[stage] === 0) continue
    const byAncestor = new Map<Stage, ReturnType<typeof descendants>>()
    for (const axis of LINEAGE_AXES) {
      if (!carries(stage, axis.stage)) continue
      let d = byAncestor.get(axis.stage)
      if (d === undefined) {
        const up = axis.stage === "draft" ? lineage.draftRow : axis.stage === "essay" ? lineage.essayRow : undefined
        d = descendants(rows, stage, (i) => (up === undefined ? i : up[i]!))
        byAncestor.set(axis.stage, d)
      }
      const counts = new Map<string, number>()
      if (d.orphans > 0) counts.set(NOT_IN_MEMBERSHIP, d.orphans)
      const field = rows[axis.field]
      for (let j = 0; j < d.weights.length; j++) {
        const w = d.weights[j]!
        if (w === 0) continue
        const level = String(field[j])
        counts.set(level, (counts.get(level) ?? 0) + w)
      }
      const usual = usualCount(counts.values())
      const levels = [...counts.keys()].sort(byText).map((level) => {
        const count = counts.get(level)!
        return { level, count, mark: markOf(count, usual) }
      })
      out.push({ axis: axis.name, stage, levels, usual, balanced: levels.every((l) => l.count === usual) })
    }
  }
  return out
}

/** Joins the levels of several axes into one label. */
const joined = (rows: MembershipRows, lineage: Lineage, axes: ReadonlyArray<LineageAxis>, i: number): string =>
  axes.map((a) => levelOf(rows, lineage, a, i)).join(" · ")

/** A rule's axis names expanded: a tuple's name stands for its axes. */
const expand = (names: ReadonlyArray<string>, tuples: ReadonlyMap<string, ReadonlyArray<string>>): Array<string> =>
  names.flatMap((n) => tuples.get(n) ?? [n])

/** The two sides a rule couples, as design column names. */
const sidesOf = (
  rule: Rule,
  tuples: ReadonlyMap<string, ReadonlyArray<string>>
): [Array<string>, Array<string>] | undefined => {
  if (rule._tag === "pair") return [expand([rule.left], tuples), expand([rule.right], tuples)]
  if (rule._tag === "tie" || rule._tag === "tuple") {
    const axes = expand(rule.axes, tuples)
    return axes.length < 2 ? undefined : [axes.slice(0, 1), axes.slice(1)]
  }
  return undefined
}

/**
 * The pairs, ties and tuples of a spec counted in the membership. A rule naming a column the
 * membership does not carry is left out, and named in `skipped`.
 */
export const couplings = (
  rows: MembershipRows,
  lineage: Lineage,
  rules: ReadonlyArray<Rule>
): { couplings: Array<Coupling>; skipped: Array<string> } => {
  const tuples = new Map(rules.flatMap((r) => (r._tag === "tuple" ? [[r.name, r.axes] as const] : [])))
  const out: Array<Coupling> = []
  const skipped: Array<string> = []
  for (const rule of rules) {
    if (rule._tag === "subset") continue
    const sides = sidesOf(rule, tuples)
    const left = sides?.[0].map(lineageAxis)
    const right = sides?.[1].map(lineageAxis)
    if (
      sides === undefined || left === undefined || right === undefined ||
      [...left, ...right].some((a) => a === undefined)
    ) {
      skipped.push(`${rule._tag} ${rule.name}`)
      continue
    }
    const l = left as Array<LineageAxis>
    const r = right as Array<LineageAxis>
    const stage = [...l, ...r].map((a) => a.stage).reduce(deeper)
    const counts = tally(
      rows.genId.length,
      stage,
      rows,
      (i) => `${joined(rows, lineage, l, i)}\u0000${joined(rows, lineage, r, i)}`
    )
    const usual = usualCount(counts.values())
    const cells = [...counts.keys()].sort(byText).map((key) => {
      const [lv, rv] = key.split("\u0000") as [string, string]
      const count = counts.get(key)!
      return { left: lv, right: rv, count, mark: markOf(count, usual) }
    })
    out.push({
      rule: rule._tag,
      name: rule.name,
      left: sides[0],
      right: sides[1],
      stage,
      cells,
      usual,
      balanced: cells.every((c) => c.count === usual)
    })
  }
  return { couplings: out, skipped }
}
