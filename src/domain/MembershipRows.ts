import { formatCount } from "./CountText.js"
import type { Stage } from "./Stage.js"

/** Why two plan entries share one gen id; reported as a validation warning. */
export interface Collapse {
  readonly stage: Stage
  readonly genId: string
  readonly kept: MembershipRow
  readonly dropped: MembershipRow
}

/** One membership row (MEMBERSHIP_COLUMNS). */
export interface MembershipRow {
  readonly stage: Stage
  readonly gen_id: string
  readonly origin_cohort_id: string
  readonly parent_gen_id: string
  readonly combo_id: string
  readonly template_id: string
  readonly llm_model_id: string
  /** A number; a bigint beyond 2^31 − 1 (rare). */
  readonly replicate: number | bigint
}

/**
 * Membership in columns (drafts, then essays, then evaluations), already de-duplicated on
 * (stage, gen_id) keeping the first. Columnar so that large cohorts stay cheap.
 */
export interface MembershipRows {
  readonly cohortId: string
  readonly stage: Array<Stage>
  readonly genId: Array<string>
  readonly parentGenId: Array<string>
  readonly comboId: Array<string>
  readonly templateId: Array<string>
  readonly llmModelId: Array<string>
  readonly replicate: Array<number | bigint>
  readonly counts: { draft: number; essay: number; evaluation: number }
  readonly collapses: Array<Collapse>
  /** How many collapses there were in all (`collapses` keeps only the first ones). */
  collapseCount: number
}

/** Row `i` of the columnar membership rows, as one object. */
export const rowAt = (rows: MembershipRows, i: number): MembershipRow => ({
  stage: rows.stage[i]!,
  gen_id: rows.genId[i]!,
  origin_cohort_id: rows.cohortId,
  parent_gen_id: rows.parentGenId[i]!,
  combo_id: rows.comboId[i]!,
  template_id: rows.templateId[i]!,
  llm_model_id: rows.llmModelId[i]!,
  replicate: rows.replicate[i]!
})

/** How many collapses are described one by one; the rest are counted. */
export const MAX_DESCRIBED_COLLAPSES = 100

/** A membership of no rows. */
export const emptyMembershipRows = (cohortId: string): MembershipRows => ({
  cohortId,
  stage: [],
  genId: [],
  parentGenId: [],
  comboId: [],
  templateId: [],
  llmModelId: [],
  replicate: [],
  counts: { draft: 0, essay: 0, evaluation: 0 },
  collapses: [],
  collapseCount: 0
})

/**
 * The same membership's counts and collapses, with its row columns emptied; each column made to hold
 * `capacity` rows without growing (filled by index: appending to a large array grows it again and again,
 * ~4× the time of filling one made to size).
 */
const emptyColumns = (rows: MembershipRows, capacity = 0): MembershipRows => {
  const column = () => (capacity > 0 ? new Array(capacity) : [])
  return {
    cohortId: rows.cohortId,
    stage: column(),
    genId: column(),
    parentGenId: column(),
    comboId: column(),
    templateId: column(),
    llmModelId: column(),
    replicate: column(),
    counts: rows.counts,
    collapses: rows.collapses,
    collapseCount: rows.collapseCount
  }
}

/** Adds one membership row, its fields in MEMBERSHIP_COLUMNS order (without the origin cohort). */
type AddRow = (
  stage: Stage,
  genId: string,
  parentGenId: string,
  comboId: string,
  templateId: string,
  llmModelId: string,
  replicate: number | bigint
) => void

/**
 * Accumulates membership rows and drops repeated gen ids, remembering each collapse. `takeBatch` hands
 * out the rows added since the last take (counts and collapses stay cumulative), so a caller can
 * stream a large membership instead of holding it. `capacity`: the rows the first batch will hold at most
 * (`takeBatch` says it for the next), so that its columns are made to size; more still fit.
 */
export const makeMembershipAccumulator = (cohortId: string, capacity = 0) => {
  let rows: MembershipRows = emptyColumns({
    cohortId,
    counts: { draft: 0, essay: 0, evaluation: 0 },
    collapses: [],
    collapseCount: 0
  } as unknown as MembershipRows, capacity)
  /** Rows in the columns so far (the columns may be made longer: they are cut to it when handed out). */
  let size = 0
  /** The columns as long as their rows. */
  const trimmed = (): MembershipRows => {
    for (
      const column of [
        rows.stage,
        rows.genId,
        rows.parentGenId,
        rows.comboId,
        rows.templateId,
        rows.llmModelId,
        rows.replicate
      ]
    ) column.length = size
    return rows
  }
  /** Appends a row whose id is known to be new (no index kept: the caller proved uniqueness). */
  const addNew: AddRow = (stage, genId, parentGenId, comboId, templateId, llmModelId, replicate) => {
    const i = size++
    rows.stage[i] = stage
    rows.genId[i] = genId
    rows.parentGenId[i] = parentGenId
    rows.comboId[i] = comboId
    rows.templateId[i] = templateId
    rows.llmModelId[i] = llmModelId
    rows.replicate[i] = replicate
    rows.counts[stage]++
  }
  // Ids carry their stage's prefix, so one index over all stages is one per (stage, gen_id). It keeps
  // each kept row, as a batch may have been handed out before a later row collapses into it.
  const indexById = new Map<string, MembershipRow>()
  /** Appends a row, or records a collapse when its id is already there. */
  const add: AddRow = (stage, genId, parentGenId, comboId, templateId, llmModelId, replicate) => {
    const row: MembershipRow = {
      stage,
      gen_id: genId,
      origin_cohort_id: cohortId,
      parent_gen_id: parentGenId,
      combo_id: comboId,
      template_id: templateId,
      llm_model_id: llmModelId,
      replicate
    }
    const kept = indexById.get(genId)
    if (kept === undefined) {
      indexById.set(genId, row)
      addNew(stage, genId, parentGenId, comboId, templateId, llmModelId, replicate)
      return
    }
    rows.collapseCount++
    if (rows.collapses.length < MAX_DESCRIBED_COLLAPSES) rows.collapses.push({ stage, genId, kept, dropped: row })
  }
  /** The rows added since the last take; the next batch's columns made for `capacity` rows. */
  const takeBatch = (capacity = 0): MembershipRows => {
    const batch = trimmed()
    rows = emptyColumns(batch, capacity)
    size = 0
    return batch
  }
  return {
    /** The rows added since the last take (their columns cut to them: call it once they are all added). */
    get rows() {
      return trimmed()
    },
    /** How many rows were added since the last take. */
    get size() {
      return size
    },
    /** Rows dropped so far as repeats of a kept one. */
    get collapseCount() {
      return rows.collapseCount
    },
    add,
    addNew,
    takeBatch
  }
}

const describe = (row: MembershipRow): string =>
  row.stage === "draft"
    ? `(combo ${row.combo_id}, template ${row.template_id}, llm ${row.llm_model_id}, replicate ${row.replicate})`
    : `(parent ${row.parent_gen_id}, template ${row.template_id}, llm ${row.llm_model_id}, replicate ${row.replicate})`

/** One sentence per collapse: which entries, and why they share an id. */
export const collapseWarnings = (rows: MembershipRows): Array<string> => {
  const out = rows.collapses.map(({ dropped, genId, kept, stage }) => {
    const texts = [kept, dropped].flatMap((r) => [r.combo_id, r.template_id, r.llm_model_id])
    const why = stage === "essay" && kept.llm_model_id.toLowerCase() !== dropped.llm_model_id.toLowerCase()
      ? "the essay LLM is not part of an essay's id"
      : texts.some((t) => t.includes("|"))
      ? "a '|' inside a value runs the parts of the id's signature together"
      : "ids ignore letter case and surrounding spaces"
    return `${stage} ${genId}: ${describe(kept)} and ${describe(dropped)} are one generation because ${why}; ` +
      `the second is dropped`
  })
  if (rows.collapseCount > rows.collapses.length) {
    out.push(`… and ${formatCount(rows.collapseCount - rows.collapses.length)} more collapsed generations`)
  }
  return out
}
