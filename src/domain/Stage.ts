/** The stages in membership order: drafts, then essays, then evaluations. */
export const STAGES = ["draft", "essay", "evaluation"] as const

/** The three generation stages, in the order membership lists them. */
export type Stage = typeof STAGES[number]

/** Whether a string names a stage. */
export const isStage = (value: string): value is Stage => (STAGES as ReadonlyArray<string>).includes(value)
