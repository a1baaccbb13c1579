import { Args, Command, Options } from "@effect/cli"
import * as Path from "@effect/platform/Path"
import { Console, Effect, Option } from "effect"
import { STAGES } from "../domain/Stage.js"
import { startWithin } from "../domain/TerminalText.js"
import type { Change, CohortDiff, CohortStatus, PurgeReport } from "../index.js"
import { formatCount } from "./Numbers.js"

/**
 * The package and the JSON helpers, loaded when a lifecycle command runs (not for `--help` or the
 * parsing of the command line).
 */
const loaded = Effect.promise(() => Promise.all([import("../index.js"), import("./Report.js")]))

/** Fields of the lifecycle results whose keys are data (models, cohorts, axes), kept as written in JSON. */
const DATA_MAPS: ReadonlySet<string> = new Set(["llmCallsByModel", "sharedWith", "axes", "byModel"])

/** How many missing ids per stage `--list-missing` prints in text (JSON has them all). */
export const MISSING_SHOWN = 20

/** Shared pieces of the other commands (options, failure reporting), passed in by Cli.ts. */
export interface CommandKit {
  readonly dataRoot: Options.Options<string>
  readonly json: Options.Options<boolean>
  readonly seed: Options.Options<Option.Option<number | bigint>>
  readonly maxRows: Options.Options<number>
  readonly reportFailures: (
    asJson: boolean
  ) => <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, unknown, R>
}

const bounded = (text: string, max = 120): string => {
  const shown = JSON.stringify(text)
  return shown.length > max ? `${startWithin(shown, max)}…"` : shown
}

const models = (byModel: Readonly<Record<string, number>>): string =>
  Object.entries(byModel).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([m, n]) =>
    `${bounded(m, 60)} ${formatCount(n)}`
  ).join(", ")

/** The text `cohort status` prints. */
export const statusText = (status: CohortStatus, listMissing: boolean): string => {
  const lines = [
    `cohort ${bounded(status.cohortId)} (${
      status.source === "membership" ? "membership" : "spec, not built"
    }: ${status.path})`,
    "stage       members  metadata      raw   parsed  missing  llm calls  shared"
  ]
  for (const stage of STAGES) {
    const s = status.stages[stage]
    const cells = [s.members, s.withMetadata, s.withRaw, s.withParsed, s.missing].map((n) => formatCount(n).padStart(8))
    lines.push(
      `${stage.padEnd(10)}${cells.join(" ")} ${formatCount(s.llmCalls).padStart(10)} ${
        formatCount(s.shared).padStart(7)
      }`
    )
  }
  lines.push(`next run: ${formatCount(status.llmCalls)} LLM calls`)
  for (const stage of STAGES) {
    const s = status.stages[stage]
    if (s.llmCalls > 0) lines.push(`  ${stage}: ${models(s.llmCallsByModel)}`)
    if (s.copyPending > 0) lines.push(`  ${stage}: ${formatCount(s.copyPending)} in copy mode (no LLM call)`)
  }
  const sharing = Object.entries(status.sharedWith)
  if (sharing.length > 0) {
    lines.push(`shared with: ${sharing.map(([c, n]) => `${bounded(c, 60)} (${formatCount(n)})`).join(", ")}`)
  }
  if (listMissing && status.missingIds !== undefined) {
    for (const stage of STAGES) {
      const ids = status.missingIds[stage]
      if (ids.length === 0) continue
      const more = ids.length > MISSING_SHOWN
        ? ` … and ${formatCount(ids.length - MISSING_SHOWN)} more (--json lists all)`
        : ""
      lines.push(`missing ${stage}: ${ids.slice(0, MISSING_SHOWN).join(", ")}${more}`)
    }
  }
  for (const note of status.notes) lines.push(`note: ${note}`)
  return lines.join("\n")
}

const target = Args.text({ name: "cohort-id|spec-file" }).pipe(
  Args.withDescription("A cohort (a folder under cohorts/) or a spec file (.yaml, .yml, .json)")
)

const seedOf = (value: Option.Option<number | bigint>) => {
  const s = Option.getOrUndefined(value)
  return s === undefined ? {} : { seed: s }
}

/** `cohort status`. */
export const statusCommand = (kit: CommandKit) =>
  Command.make(
    "status",
    {
      target,
      dataRoot: kit.dataRoot,
      json: kit.json,
      seed: kit.seed,
      maxRows: kit.maxRows,
      listMissing: Options.boolean("list-missing").pipe(
        Options.withDescription(
          `List the ids without parsed.txt (the first ${MISSING_SHOWN} per stage in text, all in --json)`
        )
      )
    },
    (args) =>
      Effect.gen(function*() {
        const [{ cohortStatus, DataRootLayer }, { snakeJson }] = yield* loaded
        const path = yield* Path.Path
        const root = path.resolve(args.dataRoot)
        const status = yield* cohortStatus(args.target, {
          dataRoot: root,
          maxRows: args.maxRows,
          listMissing: args.listMissing,
          ...seedOf(args.seed)
        }).pipe(Effect.provide(DataRootLayer.layer(root)))
        yield* Console.log(
          args.json
            ? JSON.stringify({ ok: true, result: snakeJson(status, DATA_MAPS) })
            : statusText(status, args.listMissing)
        )
      }).pipe(kit.reportFailures(args.json))
  ).pipe(Command.withDescription(
    "Per stage: members, with metadata / raw.txt / parsed.txt, missing; the LLM calls the next run makes per model;\n" +
      "generations shared with other cohorts. Works on a built cohort and on a spec not built yet.\n" +
      "Example: cohort status daydream-pilot --data-root examples/data --list-missing"
  ))

/** How many entries a purge lists in text (JSON has them all). */
export const PURGE_SHOWN = 50

const counts = (c: Readonly<Record<string, number>>): string =>
  `${formatCount(c["evaluation"]!)} evaluations, ${formatCount(c["essay"]!)} essays, ${formatCount(c["draft"]!)} drafts`

/** The text `cohort purge` prints. */
export const purgeText = (report: PurgeReport): string => {
  const verb = report.executed ? "deleted" : "would delete"
  const lines = [
    `cohort ${bounded(report.cohortId)}: ${verb} ${counts(report.deleted)} (${
      formatCount(report.bytesFreed)
    } bytes); kept ${counts(report.kept)}`
  ]
  for (const e of report.entries.slice(0, PURGE_SHOWN)) {
    lines.push(
      `  ${
        e.action === "delete" ? (report.executed ? "deleted" : "delete") : "keep"
      } ${e.stage} ${e.genId}: ${e.reason}`
    )
  }
  if (report.entries.length > PURGE_SHOWN) {
    lines.push(`  … and ${formatCount(report.entries.length - PURGE_SHOWN)} more (--json lists all)`)
  }
  if (report.trashSwept > 0) {
    lines.push(
      `${report.executed ? "removed" : "found"} ${formatCount(report.trashSwept)} trash folders of an interrupted purge`
    )
  }
  if (report.cohortFolderRemoved) lines.push(`${report.executed ? "removed" : "would remove"} the cohort folder`)
  if (!report.executed) lines.push("dry run: nothing deleted (pass --execute to delete)")
  return lines.join("\n")
}

const cohortArg = Args.text({ name: "cohort-id" }).pipe(Args.withDescription("The cohort, a folder under cohorts/"))

/** `cohort purge`. */
export const purgeCommand = (kit: CommandKit) =>
  Command.make(
    "purge",
    {
      cohortId: cohortArg,
      dataRoot: kit.dataRoot,
      json: kit.json,
      execute: Options.boolean("execute").pipe(
        Options.withDescription("Delete (without it: a dry run that only lists)")
      ),
      cohortFolder: Options.boolean("cohort-folder").pipe(
        Options.withDescription("Also remove cohorts/<id>/ (its spec included) after its generations")
      )
    },
    (args) =>
      Effect.gen(function*() {
        const [{ GensStore, purgeCohort }, { snakeJson }] = yield* loaded
        const path = yield* Path.Path
        const root = path.resolve(args.dataRoot)
        const report = yield* purgeCohort(args.cohortId, {
          dataRoot: root,
          execute: args.execute,
          cohortFolder: args.cohortFolder
        }).pipe(Effect.provide(GensStore.layer(root)))
        yield* Console.log(
          args.json ? JSON.stringify({ ok: true, result: snakeJson(report, DATA_MAPS) }) : purgeText(report)
        )
      }).pipe(kit.reportFailures(args.json))
  ).pipe(Command.withDescription(
    "Delete a cohort's generations that no other cohort uses: only those whose origin_cohort_id is the cohort,\n" +
      "listed by no other membership.csv, whose children all go too (evaluation → essay → draft), under the\n" +
      "cohort's lock. A dry run unless --execute.\n" +
      "Example: cohort purge old-pilot --data-root data --execute"
  ))

const CHANGE_SHOWN = 10

const change = (label: string, c: Change): Array<string> => {
  const part = (sign: string, values: ReadonlyArray<string>) =>
    values.length === 0
      ? []
      : [
        `${sign}${values.slice(0, CHANGE_SHOWN).map((v) => bounded(v, 60)).join(", ")}${
          values.length > CHANGE_SHOWN ? ` … (${formatCount(values.length)})` : ""
        }`
      ]
  const parts = [...part("+", c.added), ...part("-", c.removed)]
  return parts.length === 0 ? [] : [`  ${label}: ${parts.join("  ")}`]
}

/** The text `cohort diff` prints. */
export const diffText = (d: CohortDiff): string => {
  const lines = [
    `a: ${bounded(d.a.cohortId)} (${d.a.source}: ${d.a.path})`,
    `b: ${bounded(d.b.cohortId)} (${d.b.source}: ${d.b.path})`,
    "stage        only in a  only in b     shared"
  ]
  for (const stage of STAGES) {
    const s = d.stages[stage]
    lines.push(
      `${stage.padEnd(11)}${
        [s.onlyInA.length, s.onlyInB.length, s.shared.length].map((n) => formatCount(n).padStart(11)).join("")
      }`
    )
  }
  const changes = [
    ...change("combos", d.combos),
    ...STAGES.flatMap((s) => change(`${s} templates`, d.templates[s])),
    ...STAGES.flatMap((s) => change(`${s} models`, d.models[s])),
    ...Object.entries(d.axes ?? {}).flatMap(([axis, c]) => change(`axis ${bounded(axis, 60)}`, c))
  ]
  lines.push(
    changes.length === 0 ? "no combos, templates, models or levels added or removed" : "changes from a to b:",
    ...changes
  )
  lines.push(`b needs ${formatCount(d.newLlmCalls.total)} LLM calls beyond a`)
  for (const stage of STAGES) {
    if (d.newLlmCalls.byStage[stage] > 0) lines.push(`  ${stage}: ${models(d.newLlmCalls.byModel[stage])}`)
  }
  for (const note of d.notes) lines.push(`note: ${note}`)
  return lines.join("\n")
}

/** `cohort diff`. */
export const diffCommand = (kit: CommandKit) =>
  Command.make(
    "diff",
    {
      a: Args.text({ name: "a" }).pipe(Args.withDescription("A cohort id or spec file")),
      b: Args.text({ name: "b" }).pipe(Args.withDescription("A cohort id or spec file")),
      dataRoot: kit.dataRoot,
      json: kit.json,
      seed: kit.seed,
      maxRows: kit.maxRows
    },
    (args) =>
      Effect.gen(function*() {
        const [{ cohortDiff, DataRootLayer }, { snakeJson }] = yield* loaded
        const path = yield* Path.Path
        const root = path.resolve(args.dataRoot)
        const diff = yield* cohortDiff(args.a, args.b, { dataRoot: root, maxRows: args.maxRows, ...seedOf(args.seed) })
          .pipe(
            Effect.provide(DataRootLayer.layer(root))
          )
        yield* Console.log(
          args.json ? JSON.stringify({ ok: true, result: snakeJson(diff, DATA_MAPS) }) : diffText(diff)
        )
      }).pipe(kit.reportFailures(args.json))
  ).pipe(Command.withDescription(
    "Compare two cohorts (ids or spec files): generations only in a, only in b, shared; combos, templates,\n" +
      "models and design levels added or removed; the LLM calls b needs beyond a against the store.\n" +
      "Example: cohort diff daydream-pilot cohorts/pilot-v2/spec/config.yaml --data-root data --json"
  ))

/** The lifecycle commands, in the order `--help` lists them. */
export const lifecycleCommands = (kit: CommandKit) => [statusCommand(kit), diffCommand(kit), purgeCommand(kit)] as const
