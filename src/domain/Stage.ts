/** The three generation stages, in the order membership lists them. */
export type Stage = "draft" | "essay" | "evaluation"

export const STAGES: ReadonlyArray<Stage> = ["draft", "essay", "evaluation"]

export const isStage = (value: string): value is Stage =>
  value === "draft" || value === "essay" || value === "evaluation"
