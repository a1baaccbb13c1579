import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck as fc } from "effect"
import { definitionFromDesignRows, generateMembership, makeInMemoryRegistry } from "../../src/index.js"
import type { GenerationRegistry } from "../../src/services/GenerationRegistry.js"

// With a registry of pure ids, drafts and essays whose entries and texts cannot share an id are added
// without an index of ids, and the ids are not normalized again. Reference: the same registry without
// `pureIds` (asked for every id, every row through the index), which must give the same rows, counts
// and collapses.

const pick = <A>(values: ReadonlyArray<A>) => fc.constantFrom(...values)

// Case and space variants, `|` inside a part, essays differing only in their LLM (one id), and clean
// texts: both the indexed and the index-free paths are taken.
const design = fc.array(
  fc.record({
    combo_id: pick(["c1", "c2", "C1 ", "c|3", "ç4"]),
    draft_template: pick(["dt", "d2", "DT"]),
    draft_llm: pick(["m1", "m2", "M1"]),
    essay_template: pick(["et", "e2", "a|b"]),
    essay_llm: pick(["m1", "m2"]),
    evaluation_template: pick(["vt", "v2"]),
    evaluation_llm: pick(["j1", "j2"]),
    draft_replicate: pick(["1", "2"]),
    essay_replicate: pick(["1", "3"])
  }),
  { minLength: 1, maxLength: 30 }
)
// Distinct texts: only essays differing in their LLM alone can share an id.
const cleanDesign = (essayLlms: ReadonlyArray<string>) =>
  fc.array(
    fc.record({
      combo_id: pick(["c1", "c2", "ç4"]),
      draft_template: pick(["dt", "d2"]),
      draft_llm: pick(["m1", "m2"]),
      essay_template: pick(["et", "e2"]),
      essay_llm: pick(essayLlms),
      evaluation_template: pick(["vt", "v2"]),
      evaluation_llm: pick(["j1", "j2"]),
      essay_replicate: pick(["1", "3"])
    }),
    { minLength: 1, maxLength: 30 }
  )

describe("drafts and essays of a pure-id registry", () => {
  it.effect("are the rows, counts and collapses of the same registry asked id by id", () =>
    Effect.gen(function*() {
      const pure = yield* makeInMemoryRegistry
      const { pureIds: _, ...asked } = pure
      const plain: GenerationRegistry = asked
      let collapsed = 0
      let clean = 0
      const samples = [
        ...fc.sample(design, { numRuns: 150, seed: 20261202 }),
        ...fc.sample(cleanDesign(["m1"]), { numRuns: 50, seed: 20261202 }),
        ...fc.sample(cleanDesign(["m1", "m2"]), { numRuns: 50, seed: 20261202 })
      ]
      for (const rows of samples) {
        const definition = yield* definitionFromDesignRows(rows)
        const fast = yield* generateMembership(definition, "c", pure)
        const reference = yield* generateMembership(definition, "c", plain)
        expect(fast).toEqual(reference)
        if (fast.collapseCount > 0) collapsed++
        else clean++
      }
      // Both kinds were met.
      expect(collapsed).toBeGreaterThan(10)
      expect(clean).toBeGreaterThan(10)
    }))
})
