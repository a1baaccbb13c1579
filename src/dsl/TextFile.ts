import * as FileSystem from "@effect/platform/FileSystem"
import { Data, Effect } from "effect"
import { createHash } from "node:crypto"
import { decodeUtf8, NOT_UTF8 } from "../domain/Utf8.js"

/** The largest spec or include file read (a spec is a small text; this keeps a runaway file out). */
export const MAX_TEXT_FILE_BYTES = 4 * 1024 * 1024

/**
 * Why a text file could not be read: missing, unreadable, too large, or not UTF-8. The caller (a spec
 * or an include) turns it into its `InvalidSpec`, naming the file and key.
 */
export class TextFileUnreadable extends Data.TaggedError("TextFileUnreadable")<{ readonly reason: string }> {}

const unreadable = (reason: string) => new TextFileUnreadable({ reason })

/**
 * Reads a UTF-8 text file (a leading BOM dropped unless `keepBom`) with its SHA-256, or says why it cannot.
 * Line ends are read as Python's `read_text()` reads them (universal newlines): `\r\n` and a lone `\r`
 * become `\n` everywhere, also inside a quoted CSV cell (`"a\rb"` is the value `a\nb`, as in the original).
 */
export const readTextFile = (
  path: string,
  maxBytes = MAX_TEXT_FILE_BYTES,
  keepBom = false
): Effect.Effect<{ text: string; sha256: string }, TextFileUnreadable, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const info = yield* Effect.either(fs.stat(path))
    if (info._tag === "Left") {
      const notFound = info.left._tag === "SystemError" && info.left.reason === "NotFound"
      return yield* unreadable(notFound ? "file not found" : `cannot read: ${info.left.message}`)
    }
    if (info.right.type !== "File") return yield* unreadable("not a regular file")
    if (Number(info.right.size) > maxBytes) {
      return yield* unreadable(`file is larger than ${maxBytes / 1024 / 1024} MiB (${info.right.size} bytes)`)
    }
    const bytes = yield* Effect.either(fs.readFile(path))
    if (bytes._tag === "Left") return yield* unreadable(`cannot read: ${bytes.left.message}`)
    let text = decodeUtf8(bytes.right, keepBom)
    if (text === undefined) return yield* unreadable(NOT_UTF8)
    if (text.includes("\r")) text = text.replace(/\r\n?/g, "\n")
    return { text, sha256: createHash("sha256").update(bytes.right).digest("hex") }
  })
