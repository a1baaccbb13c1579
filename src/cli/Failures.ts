/**
 * How a command's tagged failure ends the CLI (a line on stderr, JSON with --json, exit 1): beside the plan's
 * handlers (RunPlan.ts) and the others' (Run.ts), which each load on demand.
 */
import { Console, Effect, Option } from "effect"
import { WorkingDirectoryMissing } from "../index.js"
import { CliExit } from "./CliExit.js"
import type * as Report from "./Report.js"

/**
 * What a failure is reported with, loaded when a command fails: knowing every tag (Report.ts's ERROR_TAGS)
 * defines every tagged error class, a Schema each, which a command that succeeds never needs.
 */
const report: Effect.Effect<typeof Report> = Effect.promise(() => import("./Report.js"))

/** A deleted working directory surfaces as a defect of `process.cwd()` (uv_cwd) wherever a path is resolved. */
const cwdMissing = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | WorkingDirectoryMissing, R> =>
  Effect.catchSomeDefect(
    effect,
    (defect) =>
      typeof defect === "object" && defect !== null && (defect as NodeJS.ErrnoException).syscall === "uv_cwd"
        ? Option.some(
          new WorkingDirectoryMissing({ cause: `uv_cwd: ${(defect as NodeJS.ErrnoException).code ?? "error"}` })
        )
        : Option.none()
  )

/**
 * Reports a tagged failure (stderr line; JSON on stdout with --json, with the fields of `more`) and ends
 * with exit code 1.
 */
export const reportFailures =
  (asJson: boolean, more: Record<string, unknown> = {}) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | CliExit, R> =>
    Effect.catchAll(
      cwdMissing(effect),
      (error): Effect.Effect<never, E | CliExit> =>
        Effect.flatMap(report, ({ errorJson, errorLine, isTaggedFailure }): Effect.Effect<never, E | CliExit> =>
          isTaggedFailure(error)
            ? Effect.zipRight(
              Effect.zipRight(
                asJson ? Console.log(JSON.stringify({ ok: false, error: errorJson(error), ...more })) : Effect.void,
                Console.error(errorLine(error))
              ),
              new CliExit({ code: 1 })
            )
            : Effect.fail(error))
    )
