import { Effect } from "effect"
import { startWithin } from "../domain/TerminalText.js"
import type { ErrorBodies } from "./HttpErrors.js"

const shown = (cohortId: string): string =>
  JSON.stringify(cohortId.length > 200 ? `${startWithin(cohortId, 200)}…` : cohortId)

/**
 * One build per cohort at a time in this service: a second build of a cohort that is being built is
 * refused at once (`Locked`, 409) rather than held open until the first ends. Builds of other cohorts,
 * and builds by other processes (which the cohort's lock file serializes), are not affected.
 */
export class CohortBuildGuard extends Effect.Service<CohortBuildGuard>()("cohort/http/CohortBuildGuard", {
  sync: () => {
    const running = new Set<string>()
    const enter = (cohortId: string): Effect.Effect<void, ErrorBodies["Locked"]> =>
      Effect.suspend(() => {
        if (!running.has(cohortId)) {
          running.add(cohortId)
          return Effect.void
        }
        return Effect.fail({
          _tag: "Locked" as const,
          cohortId,
          message: `cohort ${shown(cohortId)} is being built by another request; try again when it has finished`
        })
      })
    return {
      exclusive: <A, E, R>(cohortId: string, build: Effect.Effect<A, E, R>) =>
        Effect.acquireUseRelease(enter(cohortId), () => build, () => Effect.sync(() => running.delete(cohortId)))
    }
  }
}) {}
