import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { membershipEncoder } from "../../src/engine/MembershipEncoder.js"
import { membershipSource } from "../../src/engine/MembershipSource.js"
import { definitionFromDesignRows, generateMembership, GenIdHasher, makeInMemoryRegistry } from "../../src/index.js"

// Enough evaluations (120k, ~19 MB of CSV) for the streamed path and for more than the 16 MiB of slabs to
// wait for a writer that is slower than the rows are made.
const rows = Array.from({ length: 120_000 }, (_, i) => ({
  combo_id: `combo-${i % 200}`,
  draft_template: "dt",
  draft_llm: "m1",
  essay_template: "et",
  essay_llm: "m1",
  evaluation_template: `ev-${Math.floor(i / 200) % 60}`,
  evaluation_llm: `j${Math.floor(i / 12_000)}`
}))

describe("evaluation rows with a slow writer", () => {
  it.live(
    "a writer slower than the rows gets every byte in order (bytes the same as generateMembership)",
    () =>
      Effect.gen(function*() {
        const definition = yield* definitionFromDesignRows(rows)
        const registry = yield* makeInMemoryRegistry
        const chunks: Array<Uint8Array> = []
        yield* membershipSource("csv", definition, "c", registry, yield* GenIdHasher, { reuseBuffers: true })((
          chunk
        ) =>
          Effect.zipRight(
            Effect.sleep("1 millis"),
            Effect.sync(() => {
              // The chunk may be a reused buffer: copied, as a writer done with it once written would.
              chunks.push(Buffer.from(typeof chunk === "string" ? Buffer.from(chunk) : chunk))
            })
          )
        )
        const encoder = membershipEncoder("csv")
        const whole = yield* generateMembership(definition, "c", yield* makeInMemoryRegistry)
        const expected = Buffer.concat([...encoder.add(whole), ...encoder.end()])
        expect(Buffer.concat(chunks).equals(expected)).toBe(true)
      }),
    60_000
  )

  it.live(
    "interrupted while its writer is writing, nothing is written after the caller's finalizer ran",
    () =>
      Effect.gen(function*() {
        const definition = yield* definitionFromDesignRows(rows)
        const registry = yield* makeInMemoryRegistry
        let writes = 0
        let ended = false
        let late = 0
        const fiber = yield* Effect.fork(
          membershipSource("csv", definition, "c", registry, yield* GenIdHasher, { reuseBuffers: true })(() =>
            Effect.zipRight(
              Effect.sleep("2 millis"),
              Effect.sync(() => {
                writes++
                if (ended) late++
              })
            )
          ).pipe(
            // The caller's finalizer (closing its file): no write may come after it.
            Effect.ensuring(Effect.sync(() => {
              ended = true
            }))
          )
        )
        while (writes < 5) yield* Effect.sleep("1 millis")
        yield* Fiber.interrupt(fiber)
        yield* Effect.sleep("50 millis")
        expect(writes).toBeGreaterThanOrEqual(5)
        expect(late).toBe(0)
      }),
    60_000
  )
})
