import { Args, Command, Options } from "@effect/cli"
import * as Path from "@effect/platform/Path"
import { Console, Effect, Option } from "effect"
import type { CommandKit } from "./LifecycleCommands.js"

/** The package, the report and the output writer, loaded when `cohort report` runs. */
const loaded = Effect.promise(() =>
  Promise.all([import("../index.js"), import("../report/CohortReport.js"), import("./Output.js")])
)

const target = Args.text({ name: "cohort-id|spec-file" }).pipe(
  Args.withDescription("A cohort (a folder under cohorts/) or a spec file (.yaml, .yml, .json)")
)

const out = Options.text("out").pipe(
  Options.withPseudoName("FILE"),
  Options.filterMap((file) => (file === "" ? Option.none() : Option.some(file)), "--out needs a file name"),
  Options.withDescription("The HTML file to write (replaced atomically)")
)

/** `cohort report`: one self-contained HTML page of a cohort or spec. */
export const reportCommand = (kit: CommandKit) =>
  Command.make(
    "report",
    { target, dataRoot: kit.dataRoot, out, json: kit.json, seed: kit.seed, maxRows: kit.maxRows },
    (args) =>
      Effect.gen(function*() {
        const [{ DataRootLayer }, { cohortReport }, { emit }] = yield* loaded
        const path = yield* Path.Path
        const root = path.resolve(args.dataRoot)
        const seed = Option.getOrUndefined(args.seed)
        const report = yield* cohortReport(args.target, {
          dataRoot: root,
          maxRows: args.maxRows,
          ...(seed === undefined ? {} : { seed })
        }).pipe(
          Effect.provide(DataRootLayer.layer(root, { maxRows: args.maxRows, ...(seed === undefined ? {} : { seed }) }))
        )
        const file = path.resolve(args.out)
        yield* emit([report.html], file)
        const bytes = Buffer.byteLength(report.html)
        const m = report.model
        const result = {
          cohort_id: m.cohortId,
          source: m.source,
          out: file,
          bytes,
          rows: m.sample.total,
          rows_shown: m.sample.rows.length,
          warnings: m.warnings.length
        }
        yield* Console.log(
          args.json
            ? JSON.stringify({ ok: true, result })
            : `report of ${JSON.stringify(m.cohortId)} (${
              m.source === "membership" ? "built" : "spec, not built"
            }, ${m.sample.total} rows): ${file} (${bytes} bytes)`
        )
      }).pipe(kit.reportFailures(args.json))
  ).pipe(Command.withDescription(
    "Write one self-contained HTML page (no network, no external assets) of a cohort or spec: the stage funnel\n" +
      "and what the store has, the balance of every design axis per stage, heatmaps of pairs, ties and tuples,\n" +
      "catalog coverage, validation warnings, the spec with its hash and the catalogs' hashes, and the membership\n" +
      "(every row of a small cohort, a sample of a large one). " +
      "Example: cohort report daydream-pilot --data-root examples/data --out report.html"
  ))
