import type { PlatformError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { Effect, type Scope } from "effect"
import * as nodeFs from "node:fs"
import { ArtifactWriteFailed } from "../errors/ArtifactWriteFailed.js"
import { tempName } from "./TempFiles.js"

const encoder = new TextEncoder()

/** A temp-file name beside `target`, unique to this process and call; dot-prefixed and `.tmp`-suffixed. */
export const tempPathFor = (path: Path.Path, target: string): string =>
  path.join(path.dirname(target), tempName(path.basename(target)))

const failed = (target: string) => (error: PlatformError) =>
  new ArtifactWriteFailed({ path: target, cause: error.message })

/** A temp file written whole beside its target, waiting to be renamed into place. */
export interface PreparedFile {
  /** Renames the temp file onto the target (atomic). */
  readonly commit: Effect.Effect<void, ArtifactWriteFailed>
}

/** Writes one chunk to the file being prepared. */
export type ChunkSink = (chunk: string | Uint8Array) => Effect.Effect<void, ArtifactWriteFailed>

/** What goes into a file: chunks, or an effect that writes them one by one as it makes them. */
export type ChunkSource<E = never, R = never> = Iterable<string | Uint8Array> | ChunkProducer<E, R>

/** Writes a file's chunks one by one as it makes them. */
export type ChunkProducer<E = never, R = never> = (write: ChunkSink) => Effect.Effect<void, E, R>

/**
 * Writes `source` to a temp file beside `target`, for the scope: `commit` renames it into place, and
 * closing the scope without committing (a failure elsewhere, an interruption) removes it. Errors name
 * the target, never the temp file.
 */
export const prepareAtomically = <E = never, R = never>(
  target: string,
  source: ChunkSource<E, R>,
  options: {
    /** fsync before the rename, so the new content survives a power loss too (default true). */
    readonly sync?: boolean
  } = {}
): Effect.Effect<PreparedFile, ArtifactWriteFailed | E, FileSystem.FileSystem | Path.Path | Scope.Scope | R> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const info = yield* Effect.option(fs.stat(target))
    if (info._tag === "Some" && info.value.type === "Directory") {
      return yield* new ArtifactWriteFailed({ path: target, cause: "a folder is in the way" })
    }
    const temp = tempPathFor(path, target)
    let committed = false
    yield* Effect.addFinalizer(() => (committed ? Effect.void : Effect.ignore(fs.remove(temp))))
    yield* Effect.scoped(
      Effect.gen(function*() {
        const file = yield* fs.open(temp, { flag: "wx", mode: 0o644 }).pipe(Effect.mapError(failed(target)))
        const write: ChunkSink = (chunk) =>
          file.writeAll(typeof chunk === "string" ? encoder.encode(chunk) : chunk).pipe(Effect.mapError(failed(target)))
        if (typeof source === "function") yield* source(write)
        else for (const chunk of source) yield* write(chunk)
        if (options.sync !== false) yield* file.sync.pipe(Effect.mapError(failed(target)))
      })
    )
    return {
      commit: fs.rename(temp, target).pipe(
        Effect.tap(() => {
          committed = true
        }),
        Effect.mapError(failed(target))
      )
    }
  })

/**
 * Writes `source` to a temp file beside `target` and renames it into place, so `target` is either
 * its old content or the whole new one. The temp file is removed on any failure or interruption.
 */
export const writeAtomically = <E = never, R = never>(
  target: string,
  source: ChunkSource<E, R>,
  options: { readonly sync?: boolean } = {}
): Effect.Effect<void, ArtifactWriteFailed | E, FileSystem.FileSystem | Path.Path | R> =>
  Effect.scoped(Effect.flatMap(prepareAtomically(target, source, options), (prepared) => prepared.commit))

/** How an output target is written: replaced atomically (a regular file, or nothing yet), or in place. */
export type OutputMode =
  | { readonly _tag: "Replace"; readonly path: string }
  | { readonly _tag: "InPlace" }
  | { readonly _tag: "Refuse"; readonly reason: string }

/**
 * The rule for `--out`: a temp file is renamed only over a regular file or nothing (through a symlink,
 * over the file it names); a FIFO or character device (a pipe, `/dev/stdout`, `/dev/null`) is written in
 * place, never replaced; anything else is refused.
 */
export const outputMode = (type: FileSystem.File.Type | undefined, resolved: string): OutputMode => {
  switch (type) {
    case undefined:
    case "File":
      return { _tag: "Replace", path: resolved }
    case "FIFO":
    case "CharacterDevice":
      return { _tag: "InPlace" }
    case "Directory":
      return { _tag: "Refuse", reason: "a folder is in the way" }
    default:
      return { _tag: "Refuse", reason: `not a regular file, FIFO or character device (${type})` }
  }
}

/**
 * Writes an output target by `outputMode`'s rule: a regular file (or a new one) atomically, a FIFO or a
 * character device in place.
 */
export const writeOutput = <E = never, R = never>(
  target: string,
  source: ChunkSource<E, R>
): Effect.Effect<void, ArtifactWriteFailed | E, FileSystem.FileSystem | Path.Path | R> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const info = yield* Effect.option(fs.stat(target))
    // A symlink is followed: the file it names is replaced, the link stays.
    const resolved = info._tag === "Some" ? yield* Effect.orElseSucceed(fs.realPath(target), () => target) : target
    const mode = outputMode(info._tag === "Some" ? info.value.type : undefined, resolved)
    if (mode._tag === "Refuse") return yield* new ArtifactWriteFailed({ path: target, cause: mode.reason })
    if (mode._tag === "Replace") return yield* writeAtomically(mode.path, source, { sync: false })
    yield* writeInPlace(target, source)
  })

/** Writes a FIFO or device as a stream (no positions: a pipe cannot seek); opened off the event loop. */
const writeInPlace = <E, R>(
  target: string,
  source: ChunkSource<E, R>
): Effect.Effect<void, ArtifactWriteFailed | E, R> => {
  const fail = (error: unknown) => new ArtifactWriteFailed({ path: target, cause: (error as Error).message })
  return Effect.acquireUseRelease(
    Effect.tryPromise({ try: () => nodeFs.promises.open(target, "w"), catch: fail }),
    (handle): Effect.Effect<void, ArtifactWriteFailed | E, R> => {
      const write: ChunkSink = (chunk) =>
        Effect.tryPromise({
          try: async () => {
            const bytes = typeof chunk === "string" ? encoder.encode(chunk) : chunk
            for (let at = 0; at < bytes.length;) {
              at += (await handle.write(bytes, at, bytes.length - at, null)).bytesWritten
            }
          },
          catch: fail
        })
      return typeof source === "function"
        ? source(write)
        : Effect.gen(function*() {
          for (const chunk of source) yield* write(chunk)
        })
    },
    (handle) => Effect.promise(() => handle.close().catch(() => undefined))
  )
}
