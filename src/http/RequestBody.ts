import type { HttpServerRequest } from "@effect/platform"
import { Effect, Stream } from "effect"
import { startWithin } from "../domain/TerminalText.js"
import { decodeUtf8 } from "../domain/Utf8.js"
import { parseJson } from "../dsl/PyYaml.js"
import type { ErrorBodies } from "./HttpErrors.js"

type BodyError = ErrorBodies["MalformedBody"] | ErrorBodies["PayloadTooLarge"]

/** How much of a too-large body without a Content-Length is read and dropped before the connection is cut. */
const DRAIN_BYTES = 16 * 1024 * 1024

const tooLarge = (limitBytes: number): BodyError => ({
  _tag: "PayloadTooLarge",
  limitBytes,
  message: `the request body is larger than ${limitBytes} bytes`
})

const malformed = (reason: string): BodyError => ({ _tag: "MalformedBody", message: `the request body ${reason}` })

/**
 * The request body as JSON, read up to `maxBytes` (refused beyond, whatever Content-Length says) and
 * parsed as a spec file's JSON is.
 */
export const readJsonBody = (
  request: HttpServerRequest.HttpServerRequest,
  maxBytes: number
): Effect.Effect<unknown, BodyError> =>
  Effect.gen(function*() {
    const declared = Number(request.headers["content-length"])
    if (Number.isFinite(declared) && declared > maxBytes) return yield* Effect.fail(tooLarge(maxBytes))
    // Past the cap the rest is read and dropped (up to a bound), so that the client is still there to
    // read the 413: stopping mid-body would close the connection under it.
    const chunks = yield* request.stream.pipe(
      Stream.mapError(() => malformed("could not be read")),
      Stream.runFoldWhile(
        { size: 0, parts: [] as Array<Uint8Array> },
        (acc) => acc.size <= maxBytes + DRAIN_BYTES,
        (acc, chunk) => {
          acc.size += chunk.length
          if (acc.size <= maxBytes) acc.parts.push(chunk)
          return acc
        }
      )
    )
    if (chunks.size > maxBytes) return yield* Effect.fail(tooLarge(maxBytes))
    const text = decodeUtf8(Buffer.concat(chunks.parts))
    if (text === undefined) return yield* Effect.fail(malformed("is not UTF-8"))
    if (text.trim() === "") return yield* Effect.fail(malformed("is empty (send the spec as a JSON object)"))
    return yield* Effect.catchTag(
      parseJson(text),
      "TextSyntaxError",
      (e) => Effect.fail(malformed(`is not JSON: ${bounded(e.reason)}`))
    )
  })

const bounded = (text: string): string => (text.length > 200 ? `${startWithin(text, 200)}…` : text)
