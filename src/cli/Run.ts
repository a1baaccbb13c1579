/**
 * What the commands other than plan and design (RunPlan.ts) do, loaded on demand (`import()` in Cli.ts) when
 * one runs: `--help`, usage errors and the parsing of the command line need only Cli.ts's definitions, and
 * leave the engine, the layers and their packages (yaml, arquero, the platform's file system, the worker
 * pool) uninitialised.
 */
import * as Path from "@effect/platform/Path"
import { Config, Console, Duration, Effect, Either, Exit, Option } from "effect"
import { cutLong, echoed } from "../domain/TerminalText.js"
import {
  buildCohortMembership,
  type BuildError,
  BuildProgress,
  cohortProblems,
  DataRootLayer,
  escapeControls,
  GensStore,
  InvalidConstraint,
  WorkerPool
} from "../index.js"
import { CliExit } from "./CliExit.js"
import { reportFailures } from "./Failures.js"
import { makeProgressReporter } from "./Progress.js"
import {
  buildSummary,
  errorJson,
  errorLine,
  isTaggedFailure,
  resultJson,
  type TaggedFailure,
  workJson
} from "./Report.js"

export { reportFailures }

const seedOf = (value: Option.Option<number | bigint>) => Option.getOrUndefined(value)

/**
 * Progress of a build on stderr (COHORT_PROGRESS: `1` always, `0` never, else for long builds): on a
 * terminal a line rewritten in place, otherwise a line per phase.
 */
const withProgress = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const setting = yield* Config.string("COHORT_PROGRESS").pipe(
      Config.withDefault("auto"),
      Effect.orElseSucceed(() => "auto")
    )
    if (setting.trim() === "0") return yield* effect
    const reporter = makeProgressReporter({
      write: (text) => process.stderr.write(text),
      terminal: process.stderr.isTTY === true,
      always: setting.trim() === "1"
    })
    return yield* effect.pipe(
      Effect.provideService(BuildProgress, { update: reporter.update }),
      Effect.onExit((exit) => Effect.sync(() => reporter.end(Exit.isSuccess(exit))))
    )
  })

export const runBuild = (args: {
  readonly cohortId: string
  readonly dataRoot: string
  readonly dryRun: boolean
  readonly previewRows: number
  readonly strict: boolean
  readonly json: boolean
  readonly seed: Option.Option<number | bigint>
  readonly maxRows: number
  readonly wait?: number
}) =>
  Effect.gen(function*() {
    const path = yield* Path.Path
    const root = path.resolve(args.dataRoot)
    const s = seedOf(args.seed)
    // What each thread did (`work`) is reported with the result, or with the error that stopped the build.
    const { exit, store, work } = yield* Effect.gen(function*() {
      const pool = yield* WorkerPool
      const exit = yield* Effect.exit(withProgress(buildCohortMembership(args.cohortId, {
        dryRun: args.dryRun,
        previewRows: args.previewRows,
        strict: args.strict
      })))
      const stats = (yield* GensStore).stats()
      const store = { listings_read: stats.listingsRead, read_directly: stats.readDirectly }
      return { exit, store, work: workJson(yield* pool.tally) }
    }).pipe(
      Effect.provide(DataRootLayer.layer(root, {
        maxRows: args.maxRows,
        ...(s === undefined ? {} : { seed: s }),
        ...(args.wait === undefined ? {} : { lockWait: Duration.seconds(args.wait) })
      }))
    )
    const result = yield* reportFailures(args.json, { work, store })(exit)
    yield* args.json
      ? Console.log(JSON.stringify({ ok: true, result: resultJson(result), work, store }))
      : Console.log(buildSummary(result, args.dryRun))
  }).pipe(reportFailures(args.json))

/**
 * The error that stopped a build and every other independent problem of the cohort (`cohortProblems`),
 * the first error alone when they cannot be listed.
 */
const everyError = (first: TaggedFailure, cohortId: string, layer: ReturnType<typeof DataRootLayer.layer>) =>
  cohortProblems(cohortId, first as BuildError).pipe(
    Effect.provide(layer),
    Effect.map((found): Array<TaggedFailure> => found),
    Effect.orElseSucceed((): Array<TaggedFailure> => [first])
  )

/** One problem `validate` found: an error (all that can be checked independently), or a warning. */
type Problem = { readonly severity: "error" | "warning"; readonly message: string } & Record<string, unknown>

/**
 * `validate`: a dry run that reports every problem it found — the error that stopped it, or each
 * validation warning — as a list on stdout (`{ok: false, error, problems}` with --json), the tagged
 * error line on stderr, and exit 1; a clean cohort prints its summary (or `{ok: true, result}`).
 */
export const runValidate = (args: {
  readonly cohortId: string
  readonly dataRoot: string
  readonly json: boolean
  readonly seed: Option.Option<number | bigint>
  readonly maxRows: number
}) =>
  Effect.gen(function*() {
    const path = yield* Path.Path
    const s = seedOf(args.seed)
    const layer = DataRootLayer.layer(path.resolve(args.dataRoot), {
      maxRows: args.maxRows,
      ...(s === undefined ? {} : { seed: s })
    })
    const outcome = yield* buildCohortMembership(args.cohortId, { dryRun: true, previewRows: 0 }).pipe(
      Effect.provide(layer),
      Effect.either
    )
    if (Either.isLeft(outcome) && !isTaggedFailure(outcome.left)) return yield* Effect.fail(outcome.left)
    const warnings = Either.isRight(outcome)
      ? (outcome.right.metadata["validation_warnings"] ?? []) as Array<string>
      : []
    if (Either.isRight(outcome) && warnings.length === 0) {
      return yield* args.json
        ? Console.log(JSON.stringify({ ok: true, result: resultJson(outcome.right), problems: [] }))
        : Console.log(`${buildSummary(outcome.right, true)}\nvalid: no problems`)
    }
    const error: TaggedFailure = Either.isLeft(outcome)
      ? outcome.left as TaggedFailure
      : new InvalidConstraint({
        reason: `strict mode: the build has warnings (${warnings.length})`,
        constraint: "strict-warnings",
        cohortId: args.cohortId,
        details: warnings
      })
    const errors = Either.isLeft(outcome) ? yield* everyError(error, args.cohortId, layer) : []
    const problems: Array<Problem> = Either.isLeft(outcome)
      ? errors.map((e) => ({ severity: "error", ...errorJson(e), message: e.message }))
      : warnings.map((message) => ({ severity: "warning", message: escapeControls(message) }))
    yield* args.json
      ? Console.log(JSON.stringify({ ok: false, error: errorJson(error), problems }))
      : Console.log([
        `cohort ${args.cohortId}: ${problems.length} problem${problems.length === 1 ? "" : "s"}`,
        ...problems.map((p) => `  ${p.severity}: ${escapeControls(p.message)}`)
      ].join("\n"))
    yield* Console.error(errorLine(error))
    return yield* new CliExit({ code: 1 })
  }).pipe(reportFailures(args.json))
/** `cohort serve`: the HTTP API until interrupted. */
export const runServe = (args: {
  readonly dataRoot: string
  readonly host: string
  readonly port: number
  readonly maxRows: number
  readonly maxBodyBytes: number
  readonly seed: Option.Option<number | bigint>
}) =>
  Effect.gen(function*() {
    const path = yield* Path.Path
    // Loaded on demand: the other commands do not pay for the HTTP stack.
    const { runCohortHttpServer } = yield* Effect.promise(() => import("../http/index.js"))
    const s = seedOf(args.seed)
    yield* runCohortHttpServer({
      dataRoot: path.resolve(args.dataRoot),
      host: args.host,
      port: args.port,
      maxRows: args.maxRows,
      maxBodyBytes: args.maxBodyBytes,
      ...(s === undefined ? {} : { seed: s })
    })
  }).pipe(Effect.catchTag("ServeError", (e) =>
    Effect.zipRight(
      Console.error(
        // The host and the system's reason (which quotes it) are echoed escaped and cut, like every echoed value.
        `ServeError: cannot listen on ${echoed(args.host)}:${args.port}: ` +
          escapeControls(cutLong(String((e.cause as Error)?.message ?? e.cause)))
      ),
      new CliExit({ code: 1 })
    )))
