#!/usr/bin/env node
import { ValidationError } from "@effect/cli"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import * as Terminal from "@effect/platform/Terminal"
import { Cause, Config, Console, Effect, Exit, Layer, Logger, Option, Scope } from "effect"
import { CliExit, helpRequest, run } from "./cli/Cli.js"
import { type HelpRequest, plainText, renderHelp } from "./cli/Help.js"
import { escapeControls } from "./domain/TerminalText.js"

/**
 * NodeTerminal's Terminal, made on its first use: making it reads process.stdin and process.stdout, which
 * creates both streams (a pipe's loads node:net) at every start, for prompts no command of ours shows.
 */
const LazyTerminal = Layer.scoped(
  Terminal.Terminal,
  Effect.gen(function*() {
    const scope = yield* Effect.scope
    const real = yield* Effect.cached(Scope.extend(NodeTerminal.make(), scope))
    return Terminal.Terminal.of({
      columns: Effect.flatMap(real, (t) => t.columns),
      rows: Effect.flatMap(real, (t) => t.rows),
      isTTY: Effect.flatMap(real, (t) => t.isTTY),
      readInput: Effect.flatMap(real, (t) => t.readInput),
      readLine: Effect.flatMap(real, (t) => t.readLine),
      display: (text) => Effect.flatMap(real, (t) => t.display(text))
    })
  })
)

// What @effect/cli and the commands use (FileSystem, Path, Terminal): NodeContext.layer would also
// initialise the command executor (child_process) and the platform's Worker modules at every start.
const MainLive = Layer.mergeAll(
  NodeFileSystem.layer,
  NodePath.layer,
  LazyTerminal,
  Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger))
)

/** Help in plain text (bold headers only on a terminal without NO_COLOR), without @effect/cli's boilerplate. */
const help = (request: HelpRequest) =>
  Effect.gen(function*() {
    const noColor = yield* Config.string("NO_COLOR").pipe(Config.option, Effect.orElseSucceed(() => Option.none()))
    const color = process.stdout.isTTY === true && Option.isNone(noColor)
    yield* Console.log(renderHelp(request, color).trimEnd())
    return 0
  })

/** A usage error (exit 2): @effect/cli has printed it on stderr; with --json it is also the JSON result. */
const usageError = (error: ValidationError.ValidationError) =>
  Effect.as(
    process.argv.includes("--json")
      ? Console.log(JSON.stringify({ ok: false, error: { _tag: "UsageError", message: plainText(error.error) } }))
      : Effect.void,
    2
  )

const request = helpRequest(process.argv)
const program = (request === undefined
  ? run(process.argv).pipe(
    Effect.as(0),
    Effect.catchIf((e): e is CliExit => e instanceof CliExit, (e) => Effect.succeed(e.code)),
    Effect.catchIf(ValidationError.isValidationError, usageError)
  )
  : help(request)).pipe(Effect.provide(MainLive))

NodeRuntime.runMain(program, {
  disableErrorReporting: true,
  disablePrettyLogger: true,
  teardown: (exit, onExit) => {
    if (Exit.isFailure(exit) && !Exit.isInterrupted(exit)) {
      // Whatever a defect echoes (a path, a value) reaches the terminal escaped, line by line.
      const shown = Cause.pretty(exit.cause).split("\n").map((line) => escapeControls(line)).join("\n")
      process.stderr.write(`Defect: ${shown}\n`)
    }
    // Ctrl-C (SIGINT/SIGTERM): the work stopped and its finalizers ran (temp files removed, lock released).
    if (Exit.isInterrupted(exit)) process.stderr.write("interrupted\n")
    const code = Exit.isSuccess(exit) ? (exit.value as number) : Exit.isInterrupted(exit) ? 130 : 1
    // Let the process end by itself with this code: process.exit() would cut output still in a pipe.
    process.exitCode = code
    onExit(Exit.isInterrupted(exit) ? code : 0)
  }
})
