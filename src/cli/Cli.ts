import { Args, Command, HelpDoc, Options } from "@effect/cli"
import { Path } from "@effect/platform"
import { Config, Console, Data, Duration, Effect, Either, Exit, HashSet, Option } from "effect"
import { DEFAULT_HOST, DEFAULT_MAX_BODY_BYTES } from "../http/ServiceDefaults.js"
import {
  buildCohortMembership,
  type BuildError,
  BuildProgress,
  type ChunkSource,
  cohortProblems,
  compileDesign,
  DataRootLayer,
  DEFAULT_MAX_ROWS,
  definitionOfSpec,
  designChunks,
  escapeControls,
  estimateRows,
  GenIdHasher,
  InvalidConstraint,
  InvalidSpec,
  membershipSource,
  parseSpec,
  planRegistry,
  planWorkerPool,
  pyIntOfText,
  WorkerPool,
  WorkingDirectoryMissing
} from "../index.js"
import type { AnyCommand, HelpRequest } from "./Help.js"
import { lifecycleCommands } from "./LifecycleCommands.js"
import { formatCount } from "./Numbers.js"
import { emit, formatFor, isStdoutClosed } from "./Output.js"
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
import { reportCommand } from "./ReportCommand.js"

/** A command finished with this exit code (1: a tagged failure, already reported). */
export class CliExit extends Data.TaggedError("CliExit")<{ readonly code: number }> {}

/** Plans above this many design rows announce their size on stderr before they are made. */
export const ANNOUNCE_ROWS = 100_000

const dataRoot = Options.text("data-root").pipe(
  Options.withPseudoName("DIR"),
  Options.withDescription("The data root (default: $COHORT_DATA_ROOT, else ./data)"),
  Options.withFallbackConfig(Config.string("COHORT_DATA_ROOT")),
  Options.withDefault("./data")
)
const json = Options.boolean("json").pipe(
  Options.withDescription("Print the whole result (or error) as one JSON object on stdout")
)
// Read as Python's int() reads argparse's text: any size, any sign (Random seeds with abs(n)).
const seed = Options.text("seed").pipe(
  Options.withPseudoName("N"),
  Options.withDescription("Shuffle the design rows exactly as Python's random.Random(N).shuffle (any integer)"),
  Options.mapTryCatch(
    (text): number | bigint => {
      const n = pyIntOfText(text)
      if (n === undefined) throw new Error("not an integer")
      return Number.isSafeInteger(Number(n)) ? Number(n) : n
    },
    () => HelpDoc.p("--seed must be a whole number")
  ),
  Options.optional
)
/** A whole number ≥ 0, else a usage error naming the option. */
const wholeNumber = (name: string) =>
  Options.filterMap(
    (n: number) => (Number.isSafeInteger(n) && n >= 0 ? Option.some(n) : Option.none()),
    `--${name} must be a whole number ≥ 0`
  )
const maxRows = Options.integer("max-rows").pipe(
  Options.withPseudoName("N"),
  wholeNumber("max-rows"),
  Options.withDescription(`Refuse plans with more design rows than this (default ${DEFAULT_MAX_ROWS})`),
  Options.withDefault(DEFAULT_MAX_ROWS)
)
const wait = Options.integer("wait").pipe(
  Options.withPseudoName("SECONDS"),
  wholeNumber("wait"),
  Options.withDescription(
    "Seconds to wait for another build of the same cohort before failing with Locked (default 60)"
  ),
  Options.withDefault(60)
)
const format = Options.choice("format", ["csv", "jsonl"]).pipe(
  Options.withDescription("Output format (default: from --out's extension, else csv)"),
  Options.optional
)
const out = Options.text("out").pipe(
  Options.withPseudoName("FILE"),
  Options.filterMap((target) => (target === "" ? Option.none() : Option.some(target)), "--out needs a file name"),
  Options.withDescription(
    "Write here instead of stdout: a regular file is replaced atomically, a FIFO or device is written in place"
  ),
  Options.optional
)
// @effect/cli takes an unknown flag for the positional argument; refuse it as a usage error.
const notAFlag = (name: string) => (value: string) =>
  value.startsWith("-")
    ? Effect.fail(HelpDoc.p(`Unknown option ${value} (expected the ${name} or a known option; see --help)`))
    : Effect.succeed(value)
const cohortId = Args.text({ name: "cohort-id" }).pipe(
  Args.withDescription("The cohort, a folder under cohorts/"),
  Args.mapEffect(notAFlag("cohort id"))
)
const specFile = Args.text({ name: "spec-file" }).pipe(
  Args.withDescription("A spec file (.yaml, .yml or .json)"),
  Args.mapEffect(notAFlag("spec file"))
)

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
const reportFailures =
  (asJson: boolean, more: Record<string, unknown> = {}) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | CliExit, R> =>
    Effect.catchAll(cwdMissing(effect), (error): Effect.Effect<never, E | CliExit> =>
      isTaggedFailure(error)
        ? Effect.zipRight(
          Effect.zipRight(
            asJson ? Console.log(JSON.stringify({ ok: false, error: errorJson(error), ...more })) : Effect.void,
            Console.error(errorLine(error))
          ),
          new CliExit({ code: 1 })
        )
        : Effect.fail(error))

const seedOf = (value: Option.Option<number | bigint>) => Option.getOrUndefined(value)

const announce = (rows: number, what: string) =>
  rows > ANNOUNCE_ROWS ? Console.error(`${what}: ${formatCount(rows)} design rows`) : Effect.void

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

const runBuild = (args: {
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
    const { exit, work } = yield* Effect.gen(function*() {
      const pool = yield* WorkerPool
      const exit = yield* Effect.exit(withProgress(buildCohortMembership(args.cohortId, {
        dryRun: args.dryRun,
        previewRows: args.previewRows,
        strict: args.strict
      })))
      return { exit, work: workJson(yield* pool.tally) }
    }).pipe(
      Effect.provide(DataRootLayer.layer(root, {
        maxRows: args.maxRows,
        ...(s === undefined ? {} : { seed: s }),
        ...(args.wait === undefined ? {} : { lockWait: Duration.seconds(args.wait) })
      }))
    )
    const result = yield* reportFailures(args.json, { work })(exit)
    yield* args.json
      ? Console.log(JSON.stringify({ ok: true, result: resultJson(result), work }))
      : Console.log(buildSummary(result, args.dryRun))
  }).pipe(reportFailures(args.json))

const build = Command.make(
  "build",
  {
    cohortId,
    dataRoot,
    dryRun: Options.boolean("dry-run").pipe(Options.withDescription("Validate and compute everything, write nothing")),
    previewRows: Options.integer("preview-rows").pipe(
      Options.withPseudoName("N"),
      Options.withDescription("Rows of the membership preview (default 20)"),
      Options.withDefault(20)
    ),
    strict: Options.boolean("strict").pipe(Options.withDescription("Fail on validation warnings")),
    json,
    seed,
    maxRows,
    wait
  },
  runBuild
).pipe(Command.withDescription(
  "Build a cohort's membership and write membership.csv, manifest.json and the generations' metadata.\n" +
    "Example: cohort build daydream-pilot --data-root examples/data"
))

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
const runValidate = (args: {
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

const validate = Command.make(
  "validate",
  { cohortId, dataRoot, json, seed, maxRows },
  runValidate
).pipe(Command.withDescription(
  "Check a cohort as build would (a dry run): list every problem, exit 1 on any error or warning, write nothing.\n" +
    "Example: cohort validate daydream-pilot --data-root examples/data --json"
))

/** `plan pilot` names a cohort where a spec file belongs: say where the cohort's spec is. */
const withCohortIdHint = <E>(error: E, specFile: string): E | InvalidSpec =>
  error instanceof InvalidSpec &&
    (error.reason === "file not found" || error.reason.startsWith("unsupported spec format")) &&
    !/[\\/.]/.test(specFile)
    ? new InvalidSpec({
      path: error.path,
      reason: error.reason,
      ...(error.key === undefined ? {} : { key: error.key }),
      ...(error.value === undefined ? {} : { value: error.value }),
      hint: `${error.hint === undefined ? "" : `${error.hint}; `}plan and design take a spec file, ` +
        `and a cohort's spec is <data-root>/cohorts/${specFile}/spec/config.yaml`
    })
    : error

/** A spec file parsed, a cohort id given in its place answered with where the cohort's spec is. */
const parseSpecFile = (specFile: string) =>
  parseSpec(specFile).pipe(Effect.mapError((e) => withCohortIdHint(e, specFile)))

/** A spec file compiled to its design rows, its size announced first when large. */
const compileSpecFile = (
  args: { readonly specFile: string; readonly seed: Option.Option<number | bigint>; readonly maxRows: number },
  what: string
) =>
  Effect.gen(function*() {
    const spec = yield* parseSpecFile(args.specFile)
    yield* announce(yield* estimateRows(spec), what)
    const s = seedOf(args.seed)
    const design = yield* compileDesign(spec, { maxRows: args.maxRows, ...(s === undefined ? {} : { seed: s }) })
    return { spec, design }
  })

const emitRows = <E = never, R = never>(
  args: { readonly format: Option.Option<"csv" | "jsonl">; readonly out: Option.Option<string> },
  source: (format: "csv" | "jsonl") => ChunkSource<E, R>
) => {
  const target = Option.getOrUndefined(args.out)
  // `plan … | head`: the reader has what it wanted; stop making rows and end with success.
  return emit(source(formatFor(Option.getOrUndefined(args.format), target)), target).pipe(
    Effect.catchIf(isStdoutClosed, () => Effect.void)
  )
}

const plan = Command.make(
  "plan",
  {
    specFile,
    cohortId: Options.text("cohort-id").pipe(
      Options.withPseudoName("ID"),
      Options.withDescription("The origin cohort id written in every row")
    ),
    dataRoot: Options.text("data-root").pipe(
      Options.withPseudoName("DIR"),
      Options.withDescription(
        "The data root (default: $COHORT_DATA_ROOT): its store decides the ids, as a build there would " +
          "(read only). Without one, pure ids; rows reusing generations by id read ./data"
      ),
      Options.withFallbackConfig(Config.string("COHORT_DATA_ROOT")),
      Options.optional
    ),
    seed,
    format,
    out,
    maxRows
  },
  (args) =>
    Effect.gen(function*() {
      const spec = yield* parseSpecFile(args.specFile)
      const estimate = yield* estimateRows(spec)
      yield* announce(estimate, "planning")
      // The definition as a build makes it; rows reusing generations by id read the data root's gens/.
      const s = seedOf(args.seed)
      const root = Option.getOrUndefined(args.dataRoot)
      const rows = Effect.gen(function*() {
        const definition = yield* definitionOfSpec(spec, {
          cohortId: args.cohortId,
          dataRoot: root ?? "./data",
          maxRows: args.maxRows,
          ...(s === undefined ? {} : { seed: s })
        })
        const registry = yield* planRegistry(root)
        const hasher = yield* GenIdHasher
        yield* emitRows(args, (format) => membershipSource(format, definition, args.cohortId, registry, hasher))
      })
      // A large plan starts its worker threads now, so that they have loaded by the time rows are made.
      yield* Effect.provide(rows, planWorkerPool(estimate))
    }).pipe(reportFailures(false))
).pipe(Command.withDescription(
  "Write the membership table of a spec (MEMBERSHIP_COLUMNS, de-duplicated) with pure ids, or with --data-root the\n" +
    "ids a build there would write (read only); no catalogs.\n" +
    "Example: cohort plan cohorts/pilot/spec/config.yaml --cohort-id pilot --out membership.csv"
))

const design = Command.make(
  "design",
  { specFile, seed, format, out, maxRows },
  (args) =>
    Effect.gen(function*() {
      const { design: compiled } = yield* compileSpecFile(args, "design")
      yield* emitRows(args, (format) => designChunks(compiled, format))
    }).pipe(reportFailures(false))
).pipe(Command.withDescription(
  "Write the design rows a spec compiles to (columns: field_order first, then the rest).\n" +
    "Example: cohort design spec/config.yaml --seed 7 --format jsonl"
))

const serve = Command.make(
  "serve",
  {
    dataRoot,
    host: Options.text("host").pipe(
      Options.withPseudoName("ADDRESS"),
      Options.withDescription(`Listen on this address (default ${DEFAULT_HOST}: this machine only)`),
      Options.withDefault(DEFAULT_HOST)
    ),
    port: Options.integer("port").pipe(
      Options.withPseudoName("N"),
      Options.withDescription("Listen on this port (default 8080; 0: any free one)"),
      Options.withDefault(8080)
    ),
    maxRows,
    maxBodyBytes: Options.integer("max-body-bytes").pipe(
      Options.withPseudoName("N"),
      Options.withDescription(`Refuse request bodies above this many bytes (default ${DEFAULT_MAX_BODY_BYTES})`),
      Options.withDefault(DEFAULT_MAX_BODY_BYTES)
    ),
    seed
  },
  (args) =>
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
          `ServeError: cannot listen on ${args.host}:${args.port}: ${String((e.cause as Error)?.message ?? e.cause)}`
        ),
        new CliExit({ code: 1 })
      )))
).pipe(Command.withDescription(
  "Serve the HTTP API (validate/plan spec objects, build and validate the data root's cohorts; " +
    "OpenAPI at /openapi.json).\n" +
    "Example: cohort serve --data-root examples/data --port 8080"
))

const subcommands = [
  build,
  validate,
  plan,
  design,
  serve,
  // status, purge, diff: the cohort lifecycle (LifecycleCommands.ts)
  ...lifecycleCommands({ dataRoot, json, seed, maxRows, reportFailures }),
  reportCommand({ dataRoot, json, seed, maxRows, reportFailures })
] as const

const PROGRAM_DESCRIPTION = "Turn cohort specs into membership tables with deterministic generation ids."

export const command = Command.make("cohort").pipe(
  Command.withDescription(PROGRAM_DESCRIPTION),
  Command.withSubcommands(subcommands)
)

/**
 * `cohort [sub] … --help`: the command whose help was asked for, with the words that name it, or
 * nothing when argv asks for no help (a `--help` after `--`, or one under an unknown subcommand).
 */
export const helpRequest = (argv: ReadonlyArray<string>): HelpRequest | undefined => {
  const args = argv.slice(2)
  const end = args.indexOf("--")
  const flags = end < 0 ? args : args.slice(0, end)
  if (!flags.includes("--help") && !flags.includes("-h")) return undefined
  const first = flags.find((a) => !a.startsWith("-"))
  const all = subcommands as ReadonlyArray<AnyCommand>
  if (first === undefined) return { program: "cohort", description: PROGRAM_DESCRIPTION, subcommands: all }
  const sub = all.find((c) => HashSet.has(Command.getNames(c), first))
  return sub === undefined ? undefined : { program: "cohort", command: sub }
}

/** Runs the CLI on `argv` (as `process.argv`). */
export const run = Command.run(command, { name: "cohort", version: "0.1.0" })
