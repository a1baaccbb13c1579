import * as Path from "@effect/platform/Path"
import { Effect } from "effect"
import type { MembershipRows } from "../domain/MembershipRows.js"
import { type Stage, STAGES } from "../domain/Stage.js"
import { gensStoreOf } from "../gens/GensStore.js"
import { dataRootPaths } from "../layers/DataRoot.js"
import { type CohortMembers, type LifecycleOptions, loadMembers } from "./CohortMembers.js"
import { loadTemplateModes, needsLlmCall, probeMembers } from "./Status.js"

/** Values added in b and removed from a, each in first-seen order. */
export interface Change {
  readonly added: ReadonlyArray<string>
  readonly removed: ReadonlyArray<string>
}

/** One stage of a diff: the generation ids only in a, only in b, and in both. */
export interface StageDiff {
  readonly onlyInA: ReadonlyArray<string>
  readonly onlyInB: ReadonlyArray<string>
  readonly shared: ReadonlyArray<string>
}

/** What `cohort diff a b` reports. */
export interface CohortDiff {
  readonly a: { readonly cohortId: string; readonly source: string; readonly path: string }
  readonly b: { readonly cohortId: string; readonly source: string; readonly path: string }
  readonly stages: Readonly<Record<Stage, StageDiff>>
  readonly combos: Change
  readonly templates: Readonly<Record<Stage, Change>>
  readonly models: Readonly<Record<Stage, Change>>
  /** Design columns' levels, when both sides are specs. */
  readonly axes?: Readonly<Record<string, Change>>
  /** LLM calls b's generations not in a still need, against the store (none for copy-mode templates). */
  readonly newLlmCalls: {
    readonly total: number
    readonly byStage: Readonly<Record<Stage, number>>
    readonly byModel: Readonly<Record<Stage, Readonly<Record<string, number>>>>
  }
  readonly notes: ReadonlyArray<string>
}

/** What was added (in b, not a) and removed (in a, not b) between two lists of values, each sorted. */
export const changeOf = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): Change => {
  const inA = new Set(a)
  const inB = new Set(b)
  return { added: [...inB].filter((v) => !inA.has(v)), removed: [...inA].filter((v) => !inB.has(v)) }
}

const valuesOf = (rows: MembershipRows, stage: Stage | undefined, column: Array<string>): Array<string> => {
  const out = new Set<string>()
  for (let i = 0; i < column.length; i++) {
    if ((stage === undefined || rows.stage[i] === stage) && column[i] !== "") out.add(column[i]!)
  }
  return [...out]
}

const perStage = (a: MembershipRows, b: MembershipRows, column: (rows: MembershipRows) => Array<string>) =>
  Object.fromEntries(STAGES.map((s) => [s, changeOf(valuesOf(a, s, column(a)), valuesOf(b, s, column(b)))])) as Record<
    Stage,
    Change
  >

const side = (m: CohortMembers) => ({ cohortId: m.cohortId, source: m.source, path: m.path })

/**
 * Compares two cohorts (ids or spec files): per stage the generations only in a, only in b and shared;
 * combos, templates, models and design levels added or removed; and the LLM calls b needs beyond a.
 */
export const cohortDiff = (a: string, b: string, options: LifecycleOptions) =>
  Effect.gen(function*() {
    const path = yield* Path.Path
    const paths = dataRootPaths(path, options.dataRoot)
    const left = yield* loadMembers(a, options)
    const right = yield* loadMembers(b, options)
    const notes: Array<string> = []
    const stages = {} as Record<Stage, StageDiff>
    const inA = new Set<string>(left.rows.genId)
    for (const stage of STAGES) {
      const idsA = left.rows.genId.filter((_, i) => left.rows.stage[i] === stage)
      const idsB = right.rows.genId.filter((_, i) => right.rows.stage[i] === stage)
      const setB = new Set(idsB)
      stages[stage] = {
        onlyInA: idsA.filter((id) => !setB.has(id)),
        onlyInB: idsB.filter((id) => !inA.has(id)),
        shared: idsA.filter((id) => setB.has(id))
      }
    }
    const modes = yield* loadTemplateModes(right.cohortId, right.rows, notes)
    const bits = yield* probeMembers(right.rows, (yield* gensStoreOf(paths.root)).dir)
    const byStage = { draft: 0, essay: 0, evaluation: 0 }
    const byModel: Record<Stage, Record<string, number>> = { draft: {}, essay: {}, evaluation: {} }
    for (let i = 0; i < bits.length; i++) {
      const stage = right.rows.stage[i]!
      if (inA.has(right.rows.genId[i]!) || !needsLlmCall(bits[i]!, modes[stage][right.rows.templateId[i]!])) continue
      byStage[stage]++
      const model = right.rows.llmModelId[i] || "(unknown)"
      byModel[stage][model] = (byModel[stage][model] ?? 0) + 1
    }
    const axes = left.axes !== undefined && right.axes !== undefined
      ? Object.fromEntries(
        [...new Set([...Object.keys(left.axes), ...Object.keys(right.axes)])].map((
          k
        ) => [k, changeOf(left.axes![k] ?? [], right.axes![k] ?? [])])
      )
      : undefined
    if (axes === undefined) notes.push("design levels are compared only when both sides are spec files")
    return {
      a: side(left),
      b: side(right),
      stages,
      combos: changeOf(
        valuesOf(left.rows, undefined, left.rows.comboId),
        valuesOf(right.rows, undefined, right.rows.comboId)
      ),
      templates: perStage(left.rows, right.rows, (r) => r.templateId),
      models: perStage(left.rows, right.rows, (r) => r.llmModelId),
      ...(axes === undefined ? {} : { axes }),
      newLlmCalls: { total: byStage.draft + byStage.essay + byStage.evaluation, byStage, byModel },
      notes
    } satisfies CohortDiff as CohortDiff
  })
