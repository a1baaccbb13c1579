/** The three generation stages, in the order membership lists them. */
export type Stage = "draft" | "essay" | "evaluation"

/** The stages in membership order. */
export const STAGES: ReadonlyArray<Stage> = ["draft", "essay", "evaluation"]

/** Whether a string names a stage. */
export const isStage = (value: string): value is Stage =>
  value === "draft" || value === "essay" || value === "evaluation"
