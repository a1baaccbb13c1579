import { Config, Effect } from "effect"

/**
 * Whether work may go to a worker thread: `COHORT_THREADS=1` keeps everything on one thread (for
 * comparison, or a machine with one core); results are the same either way.
 */
export const workerThreadsAllowed: Effect.Effect<boolean> = Config.string("COHORT_THREADS").pipe(
  Config.withDefault("2"),
  Effect.map((value) => value.trim() !== "1"),
  Effect.orElseSucceed(() => true)
)
