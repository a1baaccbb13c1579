import { Effect } from "effect"
import { InvalidConstraint } from "../errors/InvalidConstraint.js"
import { hasControlCharacter } from "./ControlCharacters.js"

/** Why a cohort id cannot name a folder under `cohorts/`, or nothing when it can. */
export const cohortIdProblem = (cohortId: string): string | undefined => {
  if (cohortId.trim() === "") return "a cohort id must not be empty"
  if (cohortId.includes("/") || cohortId.includes("\\")) return "a cohort id must not contain / or \\"
  if (cohortId.includes("..")) return "a cohort id must not contain .."
  if (cohortId.startsWith(".")) return "a cohort id must not start with a dot"
  if (hasControlCharacter(cohortId)) return "a cohort id must not contain control characters"
  if (cohortId.length > 200) return "a cohort id must be at most 200 characters"
  return undefined
}

/** Fails with `InvalidConstraint` (`constraint: "cohort-id"`) for a cohort id that cannot name a folder. */
export const validateCohortId = (cohortId: string): Effect.Effect<void, InvalidConstraint> => {
  const problem = cohortIdProblem(cohortId)
  return problem === undefined
    ? Effect.void
    : new InvalidConstraint({ reason: problem, constraint: "cohort-id", cohortId })
}

/**
 * The `InvalidConstraint` for a cohort id that cannot name a folder, or nothing when it can.
 * @deprecated Use `validateCohortId` (an Effect that fails) or `cohortIdProblem` (a test).
 */
export const checkCohortId = (cohortId: string): InvalidConstraint | undefined => {
  const problem = cohortIdProblem(cohortId)
  return problem === undefined
    ? undefined
    : new InvalidConstraint({ reason: problem, constraint: "cohort-id", cohortId })
}

/** Gen ids as this tool makes them: a stage prefix, base36 digits, maybe a collision suffix. */
export const GEN_ID_PATTERN = /^[dev]_[0-9a-z]{1,20}(?:-[1-9])?$/
