import { Args, Command, HelpDoc, Options, ValidationError } from "@effect/cli"
import { Config, Effect, HashSet, Option } from "effect"
import { pyIntOfText } from "../domain/PythonText.js"
import { echoed } from "../domain/TerminalText.js"
import { DEFAULT_MAX_ROWS } from "../dsl/Limits.js"
import { DEFAULT_HOST, DEFAULT_MAX_BODY_BYTES } from "../http/ServiceDefaults.js"
import type { AnyCommand, HelpRequest } from "./Help.js"
import { type CommandKit, lifecycleCommands } from "./LifecycleCommands.js"
import { reportCommand } from "./ReportCommand.js"
import type * as Run from "./Run.js"
import type * as RunPlan from "./RunPlan.js"

export { CliExit } from "./CliExit.js"

/**
 * What the commands do (Run.ts), loaded when one runs: `--help`, a usage error and the parsing of the
 * command line initialise only these definitions, not the engine, its layers and their packages.
 */
const commands: Effect.Effect<typeof Run> = Effect.promise(() => import("./Run.js"))

/** A command's handler from Run.ts, loaded on its first use. */
const lazy = <A extends ReadonlyArray<unknown>, B, E, R>(
  handler: (run: typeof Run) => (...args: A) => Effect.Effect<B, E, R>
) =>
(...args: A): Effect.Effect<B, E, R> => Effect.flatMap(commands, (run) => handler(run)(...args))

/** `plan` and `design` (RunPlan.ts): they load the spec's compiler and the streaming engine, not the build's. */
const planCommands: Effect.Effect<typeof RunPlan> = Effect.promise(() => import("./RunPlan.js"))

/** A handler of RunPlan.ts, loaded on its first use. */
const lazyPlan = <A extends ReadonlyArray<unknown>, B, E, R>(
  handler: (run: typeof RunPlan) => (...args: A) => Effect.Effect<B, E, R>
) =>
(...args: A): Effect.Effect<B, E, R> => Effect.flatMap(planCommands, (run) => handler(run)(...args))

/** Run.ts's failure reporting, for the commands of LifecycleCommands.ts and ReportCommand.ts. */
const reportFailures: CommandKit["reportFailures"] = (asJson) => (effect) =>
  Effect.flatMap(commands, (run) => run.reportFailures(asJson)(effect))

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
/** A whole number ≥ `least`, else a usage error naming the option and the value. */
const wholeNumber = (name: string, least = 0) =>
  Options.mapEffect((n: number) =>
    Number.isSafeInteger(n) && n >= least
      ? Effect.succeed(n)
      : Effect.fail(ValidationError.invalidValue(HelpDoc.p(`--${name} must be a whole number ≥ ${least}, not ${n}`)))
  )
/** A TCP port, 0–65535 (0: any free one), else a usage error naming the option and the value. */
const portNumber = (text: string) =>
  /^\d{1,5}$/.test(text) && Number(text) <= 65535
    ? Effect.succeed(Number(text))
    : Effect.fail(
      ValidationError.invalidValue(HelpDoc.p(`--port must be a whole number from 0 to 65535, not '${echoed(text)}'`))
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

const build = Command.make(
  "build",
  {
    cohortId,
    dataRoot,
    dryRun: Options.boolean("dry-run").pipe(Options.withDescription("Validate and compute everything, write nothing")),
    previewRows: Options.integer("preview-rows").pipe(
      Options.withPseudoName("N"),
      wholeNumber("preview-rows"),
      Options.withDescription("Rows of the membership preview (default 20)"),
      Options.withDefault(20)
    ),
    strict: Options.boolean("strict").pipe(Options.withDescription("Fail on validation warnings")),
    json,
    seed,
    maxRows,
    wait
  },
  lazy((run) => run.runBuild)
).pipe(Command.withDescription(
  "Build a cohort's membership and write membership.csv, manifest.json and the generations' metadata.\n" +
    "Example: cohort build daydream-pilot --data-root examples/data"
))

const validate = Command.make(
  "validate",
  { cohortId, dataRoot, json, seed, maxRows },
  lazy((run) => run.runValidate)
).pipe(Command.withDescription(
  "Check a cohort as build would (a dry run): list every problem, exit 1 on any error or warning, write nothing.\n" +
    "Example: cohort validate daydream-pilot --data-root examples/data --json"
))

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
  lazyPlan((run) => run.runPlan)
).pipe(Command.withDescription(
  "Write the membership table of a spec (MEMBERSHIP_COLUMNS, de-duplicated) with pure ids, or with --data-root the\n" +
    "ids a build there would write (read only); no catalogs.\n" +
    "Example: cohort plan cohorts/pilot/spec/config.yaml --cohort-id pilot --out membership.csv"
))

const design = Command.make(
  "design",
  { specFile, seed, format, out, maxRows },
  lazyPlan((run) => run.runDesign)
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
    port: Options.text("port").pipe(
      Options.withPseudoName("N"),
      Options.mapEffect(portNumber),
      Options.withDescription("Listen on this port (default 8080; 0: any free one)"),
      Options.withDefault(8080)
    ),
    maxRows,
    maxBodyBytes: Options.integer("max-body-bytes").pipe(
      Options.withPseudoName("N"),
      wholeNumber("max-body-bytes", 1),
      Options.withDescription(`Refuse request bodies above this many bytes (default ${DEFAULT_MAX_BODY_BYTES})`),
      Options.withDefault(DEFAULT_MAX_BODY_BYTES)
    ),
    seed
  },
  lazy((run) => run.runServe)
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
