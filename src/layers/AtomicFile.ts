import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import type { PlatformError } from "@effect/platform/Error"
import { Effect, type Scope } from "effect"
import { randomBytes } from "node:crypto"
import * as nodeFs from "node:fs"
import * as nodePath from "node:path"
import { ArtifactWriteFailed } from "../errors/ArtifactWriteFailed.js"
import { processAlive } from "./GensDirectory.js"

const encoder = new TextEncoder()

/** A temp-file name beside `target`, unique to this process and call; dot-prefixed and `.tmp`-suffixed. */
export const tempPathFor = (path: Path.Path, target: string): string =>
  path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`)

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

const TEMP_FILE = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/

/** Removes temp files that `writeAtomically` left in `dir` when its process died (not a live one's). */
export const sweepStaleTemps = (dir: string): Effect.Effect<void> =>
  Effect.sync(() => {
    let names: Array<string> = []
    try {
      names = nodeFs.readdirSync(dir)
    } catch {
      return
    }
    for (const name of names) {
      const match = TEMP_FILE.exec(name)
      if (match !== null && !processAlive(Number(match[1]))) nodeFs.rmSync(nodePath.join(dir, name), { force: true })
    }
  })
