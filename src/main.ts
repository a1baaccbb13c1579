#!/usr/bin/env node
import { ValidationError } from "@effect/cli"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Cause, Effect, Exit, Layer, Logger } from "effect"
import { CliExit, run } from "./cli/Cli.js"

const MainLive = Layer.mergeAll(
  NodeContext.layer,
  Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger))
)

const program = run(process.argv).pipe(
  Effect.as(0),
  Effect.catchIf((e): e is CliExit => e instanceof CliExit, (e) => Effect.succeed(e.code)),
  Effect.catchIf(ValidationError.isValidationError, () => Effect.succeed(2)),
  Effect.provide(MainLive)
)

NodeRuntime.runMain(program, {
  disableErrorReporting: true,
  disablePrettyLogger: true,
  teardown: (exit, onExit) => {
    if (Exit.isFailure(exit) && !Exit.isInterrupted(exit)) process.stderr.write(`Defect: ${Cause.pretty(exit.cause)}\n`)
    const code = Exit.isSuccess(exit) ? (exit.value as number) : Exit.isInterrupted(exit) ? 130 : 1
    // Let the process end by itself with this code: process.exit() would cut output still in a pipe.
    process.exitCode = code
    onExit(Exit.isInterrupted(exit) ? code : 0)
  }
})
