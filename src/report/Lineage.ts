import { FIELD_ALIASES } from "../domain/CohortDefinition.js"
import type { MembershipRows } from "../domain/MembershipRows.js"
import type { Stage } from "../domain/Stage.js"

/** A design axis as the membership carries it: the field of one stage's generations, inherited by the stages below. */
export interface LineageAxis {
  readonly name: string
  /** The stage whose generations carry the field. */
  readonly stage: Stage
  readonly field: "comboId" | "templateId" | "llmModelId" | "replicate"
}

/** The design columns of the spec language, read back from the membership (a row's own fields and its parents'). */
export const LINEAGE_AXES: ReadonlyArray<LineageAxis> = [
  { name: "combo_id", stage: "draft", field: "comboId" },
  { name: "draft_template", stage: "draft", field: "templateId" },
  { name: "draft_llm", stage: "draft", field: "llmModelId" },
  { name: "draft_replicate", stage: "draft", field: "replicate" },
  { name: "essay_template", stage: "essay", field: "templateId" },
  { name: "essay_llm", stage: "essay", field: "llmModelId" },
  { name: "essay_replicate", stage: "essay", field: "replicate" },
  { name: "evaluation_template", stage: "evaluation", field: "templateId" },
  { name: "evaluation_llm", stage: "evaluation", field: "llmModelId" },
  { name: "evaluation_replicate", stage: "evaluation", field: "replicate" }
]

/** The lineage axis a design column names (any of the spec language's aliases), if the membership carries it. */
export const lineageAxis = (column: string): LineageAxis | undefined =>
  LINEAGE_AXES.find((a) =>
    (FIELD_ALIASES[a.name as keyof typeof FIELD_ALIASES] as ReadonlyArray<string>).includes(column)
  )

const STAGE_DEPTH: Readonly<Record<Stage, number>> = { draft: 0, essay: 1, evaluation: 2 }

/** Whether the generations of `stage` carry an axis of `axisStage` (their own, or a parent's). */
export const carries = (stage: Stage, axisStage: Stage): boolean => STAGE_DEPTH[axisStage] <= STAGE_DEPTH[stage]

/** The deeper of two stages. */
export const deeper = (a: Stage, b: Stage): Stage => (STAGE_DEPTH[a] >= STAGE_DEPTH[b] ? a : b)

/** What a row shows for a parent that is not in the membership. */
export const NOT_IN_MEMBERSHIP = "(parent not in membership)"

/**
 * For every row, the row of its draft and of its essay (itself for its own stage; -1 when the parent is
 * not in the membership or the stage is above the row's).
 */
export interface Lineage {
  readonly draftRow: Int32Array
  readonly essayRow: Int32Array
}

export const lineageOf = (rows: MembershipRows): Lineage => {
  const n = rows.genId.length
  const drafts = new Map<string, number>()
  const essays = new Map<string, number>()
  for (let i = 0; i < n; i++) {
    if (rows.stage[i] === "draft") drafts.set(rows.genId[i]!, i)
    else if (rows.stage[i] === "essay") essays.set(rows.genId[i]!, i)
  }
  const draftRow = new Int32Array(n).fill(-1)
  const essayRow = new Int32Array(n).fill(-1)
  for (let i = 0; i < n; i++) {
    const stage = rows.stage[i]
    if (stage === "draft") draftRow[i] = i
    else if (stage === "essay") {
      essayRow[i] = i
      draftRow[i] = drafts.get(rows.parentGenId[i]!) ?? -1
    } else {
      const e = essays.get(rows.parentGenId[i]!) ?? -1
      essayRow[i] = e
      if (e >= 0) draftRow[i] = drafts.get(rows.parentGenId[e]!) ?? -1
    }
  }
  return { draftRow, essayRow }
}

/** The level of `axis` for row `i`: the field of the row itself or of its parent at the axis's stage. */
export const levelOf = (rows: MembershipRows, lineage: Lineage, axis: LineageAxis, i: number): string => {
  const j = axis.stage === "draft" ? lineage.draftRow[i]! : axis.stage === "essay" ? lineage.essayRow[i]! : i
  if (j < 0) return NOT_IN_MEMBERSHIP
  return String(rows[axis.field][j])
}
