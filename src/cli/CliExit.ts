import { Data } from "effect"

/** A command finished with this exit code (1: a tagged failure, already reported). */
export class CliExit extends Data.TaggedError("CliExit")<{ readonly code: number }> {}
