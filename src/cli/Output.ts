import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import { Effect } from "effect"
import { ArtifactWriteFailed, type ChunkSource, type RowFormat, writeOutput } from "../index.js"

const STDOUT = "<stdout>"

/**
 * What a write to stdout fails with when its reader went away (`cohort plan … | head`); made when that
 * happens (a tagged error's first construction compiles its Schema's validation, which most runs never need).
 */
const EPIPE = "the reader closed the pipe (EPIPE)"
const stdoutClosed = (): ArtifactWriteFailed => new ArtifactWriteFailed({ path: STDOUT, cause: EPIPE })

/**
 * The output was no longer wanted (its reader closed the pipe): the command ends quietly, with success.
 * Any other failure of stdout (a full disk, an I/O error) is a failure: the output is incomplete.
 */
export const isStdoutClosed = (u: unknown): boolean =>
  u instanceof ArtifactWriteFailed && u.path === STDOUT && u.cause === EPIPE

/**
 * Writes to stdout with backpressure. A closed pipe (EPIPE) fails the write with `stdoutClosed` instead
 * of crashing the process with an unhandled `error` event; any other stream error fails it too.
 */
const stdoutWriter = Effect.acquireRelease(
  Effect.sync(() => {
    let failure: ArtifactWriteFailed | undefined
    let waiting: (() => void) | undefined
    const onError = (error: NodeJS.ErrnoException) => {
      failure = error.code === "EPIPE"
        ? stdoutClosed()
        : new ArtifactWriteFailed({ path: STDOUT, cause: error.message })
      waiting?.()
    }
    process.stdout.on("error", onError)
    const failed = (): Effect.Effect<void, ArtifactWriteFailed> => Effect.fail(failure!)
    const write = (chunk: string | Uint8Array): Effect.Effect<void, ArtifactWriteFailed> =>
      failure !== undefined ? failed() : Effect.async<void, ArtifactWriteFailed>((resume) => {
        const done = () => {
          waiting = undefined
          process.stdout.off("drain", done)
          resume(failure === undefined ? Effect.void : failed())
        }
        if (process.stdout.write(chunk)) return resume(Effect.void)
        waiting = done
        process.stdout.once("drain", done)
      })
    return { write, onError }
  }),
  // The listener stays until the process ends: a write still buffered may fail after the command is done.
  ({ onError }) => Effect.sync(() => process.stdout.on("error", () => {}).off("error", onError))
)

/** Writes chunks (or what a producer writes) to `out` (`writeOutput`'s rule), or to stdout when there is no `out`. */
export const emit = <E = never, R = never>(
  source: ChunkSource<E, R>,
  out: string | undefined
): Effect.Effect<void, ArtifactWriteFailed | E, FileSystem.FileSystem | Path.Path | R> =>
  out === undefined
    ? Effect.scoped(Effect.gen(function*() {
      const { write } = yield* stdoutWriter
      if (typeof source === "function") return yield* source(write)
      for (const chunk of source) yield* write(chunk)
    }))
    : writeOutput(out, source)

/** `--format`, else the `--out` extension (`.jsonl` → jsonl), else CSV. */
export const formatFor = (format: RowFormat | undefined, out: string | undefined): RowFormat =>
  format ?? (out !== undefined && out.toLowerCase().endsWith(".jsonl") ? "jsonl" : "csv")
