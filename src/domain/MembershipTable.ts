import * as aq from "arquero"
import type { ColumnTable } from "./Frame.js"
import type { MembershipRows } from "./MembershipRows.js"

/** The membership as an arquero table with MEMBERSHIP_COLUMNS (no copy of the row data). */
export const membershipTable = (rows: MembershipRows): ColumnTable =>
  aq.table({
    stage: rows.stage,
    gen_id: rows.genId,
    origin_cohort_id: new Array<string>(rows.genId.length).fill(rows.cohortId),
    parent_gen_id: rows.parentGenId,
    combo_id: rows.comboId,
    template_id: rows.templateId,
    llm_model_id: rows.llmModelId,
    replicate: rows.replicate
  })
