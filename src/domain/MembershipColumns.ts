/** The columns of a membership table, in order. */
export const MEMBERSHIP_COLUMNS = [
  "stage",
  "gen_id",
  "origin_cohort_id",
  "parent_gen_id",
  "combo_id",
  "template_id",
  "llm_model_id",
  "replicate"
] as const

/** The name of a membership column. */
export type MembershipColumn = (typeof MEMBERSHIP_COLUMNS)[number]
