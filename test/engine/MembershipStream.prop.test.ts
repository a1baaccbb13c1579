import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, FastCheck as fc, Stream } from "effect"
import {
  definitionFromDesignRows,
  generateMembership,
  makeInMemoryRegistry,
  membershipStream
} from "../../src/index.js"

/**
 * `membershipStream` (column batches, the fast path) against `generateMembership` (domain/, the plain
 * rule): the batches put together are its rows, every column. Seed fixed so a failure replays.
 */

const pick = <A>(values: ReadonlyArray<A>) => fc.constantFrom(...values)
// Case and space variants collapse into one generation; "|" inside a part runs two signatures together.
const design = fc.array(
  fc.record({
    combo_id: pick(["c1", "C1 ", "c,2"]),
    draft_template: pick(["dt", "DT"]),
    draft_llm: pick(["m1", "m2"]),
    essay_template: pick(["et", "ét"]),
    essay_llm: pick(["m1", "m2"]),
    evaluation_template: pick(["a", "a|b", "vt"]),
    evaluation_llm: pick(["c", "b|c", "j1"]),
    evaluation_replicate: pick(["1", "2"])
  }),
  { minLength: 1, maxLength: 60 }
)

const COLUMNS = ["stage", "genId", "parentGenId", "comboId", "templateId", "llmModelId", "replicate"] as const

describe("membershipStream equals generateMembership", () => {
  it.effect.prop("its batches, put together, are the membership's rows", [design], ([rows]) =>
    Effect.gen(function*() {
      const definition = yield* definitionFromDesignRows(rows)
      const registry = yield* makeInMemoryRegistry
      const batches = Chunk.toArray(yield* Stream.runCollect(membershipStream(definition, "c", registry)))
      const whole = yield* generateMembership(definition, "c", registry)
      for (const column of COLUMNS) {
        expect(batches.flatMap((b) => [...b[column]])).toEqual([...whole[column]])
      }
    }), { fastCheck: { numRuns: 100, seed: 2201 } })
})
