/**
 * What `cohort plan` and `cohort design` do, loaded on demand (`import()` in Cli.ts) apart from the other
 * commands (Run.ts): a plan initialises the spec's parser, compiler and the streaming engine, not the
 * build's program, its layers or arquero's tables.
 */
import { Console, Effect, Option } from "effect"
import {
  type ChunkSource,
  compileDesign,
  definitionOfSpec,
  designChunks,
  estimateRows,
  GenIdHasher,
  InvalidSpec,
  membershipSource,
  parseSpec,
  planRegistry,
  planWorkerPool
} from "../index.js"
import { reportFailures } from "./Failures.js"
import { formatCount } from "./Numbers.js"
import { emit, formatFor, isStdoutClosed } from "./Output.js"

/** Plans above this many design rows announce their size on stderr before they are made. */
export const ANNOUNCE_ROWS = 100_000

const seedOf = (value: Option.Option<number | bigint>) => Option.getOrUndefined(value)

const announce = (rows: number, what: string) =>
  rows > ANNOUNCE_ROWS ? Console.error(`${what}: ${formatCount(rows)} design rows`) : Effect.void

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

/** What plan and design are given: a spec file, its seed and row cap, and where and how rows go. */
interface SpecFileArgs {
  readonly specFile: string
  readonly seed: Option.Option<number | bigint>
  readonly format: Option.Option<"csv" | "jsonl">
  readonly out: Option.Option<string>
  readonly maxRows: number
}

/** `cohort plan`: the membership table of a spec file (pure ids, or a data root's). */
export const runPlan = (
  args: SpecFileArgs & { readonly cohortId: string; readonly dataRoot: Option.Option<string> }
) =>
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
      // A file's writes complete once written: its buffers may be reused (stdout's stream keeps them).
      const reuseBuffers = Option.isSome(args.out)
      yield* emitRows(
        args,
        (format) => membershipSource(format, definition, args.cohortId, registry, hasher, { reuseBuffers })
      )
    })
    // A large plan starts its worker threads now, so that they have loaded by the time rows are made.
    yield* Effect.provide(rows, planWorkerPool(estimate))
  }).pipe(reportFailures(false))

/** `cohort design`: the design rows a spec file compiles to. */
export const runDesign = (args: SpecFileArgs) =>
  Effect.gen(function*() {
    const { design: compiled } = yield* compileSpecFile(args, "design")
    yield* emitRows(args, (format) => designChunks(compiled, format))
  }).pipe(reportFailures(false))
