import { Args, Command, HelpDoc, Options } from "@effect/cli"
import { Path } from "@effect/platform"
import { Config, Console, Data, Effect, Option } from "effect"
import { definitionFromDesignRows } from "../domain/CohortDefinition.js"
import { GenIdHasher } from "../domain/GenId.js"
import { dataRootLayer } from "../layers/DataRootLayer.js"
import { DEFAULT_MAX_ROWS } from "../layers/FileSystemSpecRepository.js"
import { makeInMemoryRegistry } from "../layers/InMemoryRegistryFactory.js"
import { reuseGenerations } from "../lifecycle/ReuseGenerations.js"
import { buildCohortMembership } from "../program.js"
import { compileDesign, estimateRows } from "../spec/CompileDesign.js"
import { parseSpec } from "../spec/ParseSpec.js"
import type { ChunkSource } from "../layers/AtomicFile.js"
import { startEvaluationWorker } from "./EvaluationWorkerPool.js"
import { lifecycleCommands } from "./LifecycleCommands.js"
import { designChunks, emit, formatFor, membershipSource, WORKER_MIN_ROWS } from "./Output.js"
import { buildSummary, errorJson, errorLine, isTaggedFailure, resultJson } from "./Report.js"

/** A command finished with this exit code (1: a tagged failure, already reported). */
export class CliExit extends Data.TaggedError("CliExit")<{ readonly code: number }> {}

/** Plans above this many design rows announce their size on stderr before they are made. */
export const ANNOUNCE_ROWS = 100_000

const dataRoot = Options.text("data-root").pipe(
  Options.withDescription("The data root (default: $COHORT_DATA_ROOT, else ./data)"),
  Options.withFallbackConfig(Config.string("COHORT_DATA_ROOT")),
  Options.withDefault("./data")
)
const json = Options.boolean("json").pipe(
  Options.withDescription("Print the whole result (or error) as one JSON object on stdout")
)
const seed = Options.integer("seed").pipe(
  Options.withDescription("Shuffle the design rows exactly as Python's random.Random(N).shuffle"),
  Options.optional
)
const maxRows = Options.integer("max-rows").pipe(
  Options.withDescription(`Refuse plans with more design rows than this (default ${DEFAULT_MAX_ROWS})`),
  Options.withDefault(DEFAULT_MAX_ROWS)
)
const format = Options.choice("format", ["csv", "jsonl"]).pipe(
  Options.withDescription("Output format (default: from --out's extension, else csv)"),
  Options.optional
)
const out = Options.text("out").pipe(
  Options.withDescription("Write here (atomically) instead of stdout"),
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

/** Reports a tagged failure (stderr line; JSON on stdout with --json) and ends with exit code 1. */
const reportFailures = (asJson: boolean) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | CliExit, R> =>
  Effect.catchAll(effect, (error): Effect.Effect<never, E | CliExit> =>
    isTaggedFailure(error)
      ? Effect.zipRight(
        Effect.zipRight(
          asJson ? Console.log(JSON.stringify({ ok: false, error: errorJson(error) })) : Effect.void,
          Console.error(errorLine(error))
        ),
        new CliExit({ code: 1 })
      )
      : Effect.fail(error))

const seedOf = (value: Option.Option<number>) => Option.getOrUndefined(value)

const announce = (rows: number, what: string) =>
  rows > ANNOUNCE_ROWS ? Console.error(`${what}: ${thousands(rows)} design rows`) : Effect.void

/** 1234567 → "1,234,567" (toLocaleString loads ICU data: ~20 ms of a plan). */
const thousands = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",")

const runBuild = (args: {
  readonly cohortId: string
  readonly dataRoot: string
  readonly dryRun: boolean
  readonly previewRows: number
  readonly strict: boolean
  readonly json: boolean
  readonly seed: Option.Option<number>
  readonly maxRows: number
}) =>
  Effect.gen(function*() {
    const path = yield* Path.Path
    const root = path.resolve(args.dataRoot)
    const s = seedOf(args.seed)
    const result = yield* buildCohortMembership(args.cohortId, {
      dryRun: args.dryRun,
      previewRows: args.previewRows,
      strict: args.strict
    }).pipe(Effect.provide(dataRootLayer(root, { maxRows: args.maxRows, ...(s === undefined ? {} : { seed: s }) })))
    yield* args.json
      ? Console.log(JSON.stringify({ ok: true, result: resultJson(result) }))
      : Console.log(buildSummary(result, args.dryRun))
  }).pipe(reportFailures(args.json))

const build = Command.make(
  "build",
  {
    cohortId,
    dataRoot,
    dryRun: Options.boolean("dry-run").pipe(Options.withDescription("Validate and compute everything, write nothing")),
    previewRows: Options.integer("preview-rows").pipe(
      Options.withDescription("Rows of the membership preview (default 20)"),
      Options.withDefault(20)
    ),
    strict: Options.boolean("strict").pipe(Options.withDescription("Fail on validation warnings")),
    json,
    seed,
    maxRows
  },
  runBuild
).pipe(Command.withDescription(
  "Build a cohort's membership and write membership.csv, manifest.json and the generations' metadata.\n" +
    "Example: cohort build daydream-pilot --data-root examples/data"
))

const validate = Command.make(
  "validate",
  { cohortId, dataRoot, json, seed, maxRows },
  (args) => runBuild({ ...args, dryRun: true, previewRows: 0, strict: true })
).pipe(Command.withDescription(
  "Check a cohort as build would (a strict dry run): exit 1 on any error or warning, write nothing.\n" +
    "Example: cohort validate daydream-pilot --data-root examples/data --json"
))

/** A spec file compiled to its design rows, its size announced first when large. */
const compileSpecFile = (args: { readonly specFile: string; readonly seed: Option.Option<number>; readonly maxRows: number }, what: string) =>
  Effect.gen(function*() {
    const spec = yield* parseSpec(args.specFile)
    yield* announce(yield* estimateRows(spec), what)
    const s = seedOf(args.seed)
    return yield* compileDesign(spec, { maxRows: args.maxRows, ...(s === undefined ? {} : { seed: s }) })
  })

const emitRows = <E = never, R = never>(
  args: { readonly format: Option.Option<"csv" | "jsonl">; readonly out: Option.Option<string> },
  source: (format: "csv" | "jsonl") => ChunkSource<E, R>
) => {
  const target = Option.getOrUndefined(args.out)
  return emit(source(formatFor(Option.getOrUndefined(args.format), target)), target)
}

const plan = Command.make(
  "plan",
  {
    specFile,
    cohortId: Options.text("cohort-id").pipe(Options.withDescription("The origin cohort id written in every row")),
    dataRoot,
    seed,
    format,
    out,
    maxRows
  },
  (args) =>
    Effect.gen(function*() {
      const design = yield* compileSpecFile(args, "planning")
      // A large plan starts its worker thread now, so that it has loaded by the time rows are made.
      const worker = design.size >= WORKER_MIN_ROWS ? yield* startEvaluationWorker : Option.none()
      const path = yield* Path.Path
      // Rows reusing generations by id (essay_gen_id / draft_gen_id) read their metadata from the data root.
      const reused = yield* reuseGenerations(design, { gensRoot: path.join(path.resolve(args.dataRoot), "gens"), source: args.specFile })
      const definition = yield* definitionFromDesignRows(reused, { source: args.specFile })
      const registry = yield* makeInMemoryRegistry
      const hasher = yield* GenIdHasher
      yield* emitRows(args, (format) => membershipSource(format, definition, args.cohortId, registry, hasher, worker))
    }).pipe(Effect.scoped, reportFailures(false))
).pipe(Command.withDescription(
  "Write the membership table of a spec (MEMBERSHIP_COLUMNS, de-duplicated) with pure ids; no catalogs.\n" +
    "Example: cohort plan cohorts/pilot/spec/config.yaml --cohort-id pilot --out membership.csv"
))

const design = Command.make(
  "design",
  { specFile, seed, format, out, maxRows },
  (args) =>
    Effect.gen(function*() {
      const compiled = yield* compileSpecFile(args, "design")
      yield* emitRows(args, (format) => designChunks(compiled, format))
    }).pipe(reportFailures(false))
).pipe(Command.withDescription(
  "Write the design rows a spec compiles to (columns: field_order first, then the rest).\n" +
    "Example: cohort design spec/config.yaml --seed 7 --format jsonl"
))

export const command = Command.make("cohort").pipe(
  Command.withDescription("Turn cohort specs into membership tables with deterministic generation ids."),
  Command.withSubcommands([
    build,
    validate,
    plan,
    design,
    // status, purge, diff: the cohort lifecycle (LifecycleCommands.ts)
    ...lifecycleCommands({ dataRoot, json, seed, maxRows, reportFailures })
  ])
)

/** Runs the CLI on `argv` (as `process.argv`). */
export const run = Command.run(command, { name: "cohort", version: "0.1.0" })
