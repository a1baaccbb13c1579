import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck as fc } from "effect"
import { streamMembership } from "../../src/domain/MembershipGeneration.js"
import { membershipEncoder, type RowFormat } from "../../src/engine/MembershipEncoder.js"
import { membershipSource } from "../../src/engine/MembershipSource.js"
import { definitionFromDesignRows, generateMembership, GenIdHasher, makeInMemoryRegistry } from "../../src/index.js"

const pick = <A>(values: ReadonlyArray<A>) => fc.constantFrom(...values)

// Texts that stress the fast CSV path: case and space variants (collapses), CSV quoting, UTF-8, and
// `|` inside a part (two signatures run together: "a|b" + "c" is "a" + "b|c").
const design = fc.array(
  fc.record({
    combo_id: pick(["c1", "C1 ", "c,2", "ç3"]),
    draft_template: pick(["dt", "d\"t"]),
    draft_llm: pick(["m1", "M1"]),
    essay_template: pick(["et", "ét"]),
    essay_llm: pick(["m1", "m2"]),
    evaluation_template: pick(["a", "a|b", "vt", "VT", "v,t", "评"]),
    evaluation_llm: pick(["c", "b|c", "j1", "j 2"]),
    evaluation_replicate: pick(["1", "2", "12"])
  }),
  { minLength: 1, maxLength: 40 }
)

// Texts that keep evaluation ids unique, so the fast path is taken (CSV quoting and UTF-8 still in).
const clean = fc.array(
  fc.record({
    combo_id: pick(["c1", "c,2", "ç3"]),
    draft_template: pick(["dt", "d\"t"]),
    draft_llm: pick(["m1", "m2"]),
    essay_template: pick(["et", "ét"]),
    essay_llm: pick(["m1"]), // an essay id leaves out its LLM: two would collapse
    evaluation_template: pick(["vt", "v,t", "评", "x\"y"]),
    evaluation_llm: pick(["j1", "J2", "ü"]),
    evaluation_replicate: pick(["1", "2", "12"])
  }),
  { minLength: 1, maxLength: 40 }
)

const collect = (format: RowFormat, rows: ReadonlyArray<Record<string, string>>) =>
  Effect.gen(function*() {
    const definition = yield* definitionFromDesignRows(rows)
    const registry = yield* makeInMemoryRegistry
    const chunks: Array<Uint8Array> = []
    yield* membershipSource(format, definition, "co,hort", registry, yield* GenIdHasher)((chunk) =>
      Effect.sync(() => {
        chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk)
      })
    )
    const streamed = Buffer.concat(chunks).toString("utf8")
    const encoder = membershipEncoder(format)
    const whole = yield* generateMembership(definition, "co,hort", registry)
    const expected = Buffer.concat([...encoder.add(whole), ...encoder.end()]).toString("utf8")
    return { streamed, expected, whole }
  })

describe("plan output", () => {
  for (const format of ["csv", "jsonl"] as const) {
    it.effect(`streamed ${format} (with the fast evaluation path) is the ${format} of generateMembership`, () =>
      Effect.gen(function*() {
        const samples = [
          ...fc.sample(design, { numRuns: 100, seed: 20261126 }),
          ...fc.sample(clean, { numRuns: 100, seed: 20261126 })
        ]
        for (const rows of samples) {
          const { expected, streamed } = yield* collect(format, rows)
          expect(streamed).toBe(expected)
        }
      }))
  }

  it.effect("the fast path is taken when evaluation ids cannot repeat", () =>
    Effect.gen(function*() {
      const registry = yield* makeInMemoryRegistry
      for (const rows of fc.sample(clean, { numRuns: 20, seed: 7 })) {
        let handed = 0
        const definition = yield* definitionFromDesignRows(rows)
        yield* streamMembership(definition, "c", registry, () => Effect.void, (pure) =>
          Effect.sync(() => {
            handed = pure.evaluations.size
            return true
          }))
        expect(handed).toBe(definition.evaluations.length)
      }
    }))

  it.effect("the whole fast path (drafts and essays as bytes too) is taken when no id can repeat", () =>
    Effect.gen(function*() {
      const registry = yield* makeInMemoryRegistry
      for (const rows of fc.sample(clean, { numRuns: 20, seed: 8 })) {
        let handed = 0
        const definition = yield* definitionFromDesignRows(rows)
        yield* streamMembership(
          definition,
          "c",
          registry,
          () => Effect.void,
          () => Effect.succeed(false),
          (pure) =>
            Effect.sync(() => {
              handed = pure.columns.drafts.size + pure.columns.essays.size + pure.columns.evaluations.size
              return true
            })
        )
        expect(handed).toBe(definition.drafts.length + definition.essays.length + definition.evaluations.length)
      }
    }))

  it.effect("texts too long for the fast rows (a row, a signature) give the same csv", () =>
    Effect.gen(function*() {
      const long = fc.array(
        fc.record({
          combo_id: pick(["c1", "ç".repeat(700), "c".repeat(300_000)]),
          draft_template: pick(["dt", "d\"t".repeat(400)]),
          draft_llm: pick(["m1", "m2"]),
          essay_template: pick(["et", "é".repeat(300_000)]),
          essay_llm: pick(["m1"]),
          evaluation_template: pick(["vt", "v,t".repeat(300)]),
          evaluation_llm: pick(["j1", "ü".repeat(600)]),
          evaluation_replicate: pick(["1", "12"])
        }),
        { minLength: 1, maxLength: 12 }
      )
      for (const rows of fc.sample(long, { numRuns: 15, seed: 9 })) {
        const { expected, streamed } = yield* collect("csv", rows)
        expect(streamed).toBe(expected)
      }
    }))

  it.effect("evaluations whose parts run together through a '|' are one generation, not two rows", () =>
    Effect.gen(function*() {
      const base = { combo_id: "c1", draft_template: "dt", draft_llm: "m1", essay_template: "et", essay_llm: "m1" }
      const rows = [
        { ...base, evaluation_template: "a|b", evaluation_llm: "c" },
        { ...base, evaluation_template: "a", evaluation_llm: "b|c" }
      ]
      const { expected, streamed, whole } = yield* collect("csv", rows)
      expect(whole.counts.evaluation).toBe(1)
      expect(whole.collapseCount).toBe(1)
      expect(streamed).toBe(expected)
      expect(streamed.trim().split("\n")).toHaveLength(4)
    }))
})
