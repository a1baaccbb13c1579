import { describe, expect, it } from "@effect/vitest"
import { parse } from "csv-parse/sync"
import { Effect, FastCheck as fc } from "effect"
import {
  canonicalSignature,
  draftSignature,
  essaySignature,
  evaluationSignature,
  normalizePart,
  signatureOfMetadata
} from "../../src/domain/Signature.js"
import type { RowFormat } from "../../src/engine/MembershipEncoder.js"
import { membershipSource } from "../../src/engine/MembershipSource.js"
import { definitionFromDesignRows, GenIdHasher, makeInMemoryRegistry } from "../../src/index.js"

// The fast paths build signatures their own way (parts normalized once each, the evaluation hot loop
// from byte pieces straight into the hasher's input). Every id they hand out must be the id of the plain
// signature of src/domain/Signature.ts, rebuilt here from the row itself.

const pick = <A>(values: ReadonlyArray<A>) => fc.constantFrom(...values)
const text = fc.oneof(
  pick(["c1", "C1 ", " c,2", "ç3", "a|b", "\u00a0x\u2003", "İ", "ß", "x\"y", "评", "MiXeD"]),
  fc.string({ minLength: 1, maxLength: 6 }).filter((s) =>
    // eslint-disable-next-line no-control-regex
    normalizePart(s) !== "" && !/[\u0000-\u001f\u007f-\u009f]/.test(s)
  )
)
const design = fc.array(
  fc.record({
    combo_id: text,
    draft_template: text,
    draft_llm: text,
    essay_template: text,
    essay_llm: pick(["m1"]),
    evaluation_template: text,
    evaluation_llm: text,
    evaluation_replicate: pick(["1", "2", "12"])
  }),
  { minLength: 1, maxLength: 30 }
)

const rowsOf = (format: RowFormat, output: string): Array<Record<string, string>> =>
  format === "csv"
    ? parse(output, { columns: true })
    : output.trim().split("\n").map((line) => JSON.parse(line) as Record<string, string>)

describe("Signature.ts is the one canonical signature", () => {
  for (const format of ["csv", "jsonl"] as const) {
    it.effect(`every id of a streamed ${format} membership is the hash of the row's plain signature`, () =>
      Effect.gen(function*() {
        const hasher = yield* GenIdHasher
        const registry = yield* makeInMemoryRegistry
        for (const rows of fc.sample(design, { numRuns: 120, seed: 20261202 })) {
          const definition = yield* definitionFromDesignRows(rows)
          const chunks: Array<Uint8Array> = []
          yield* membershipSource(format, definition, "cohort", registry, hasher)((chunk) =>
            Effect.sync(() => {
              chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk)
            })
          )
          const out = rowsOf(format, Buffer.concat(chunks).toString("utf8"))
          expect(out.length).toBeGreaterThan(0)
          for (const row of out) {
            const rep = Number(row["replicate"])
            const plain = row["stage"] === "draft"
              ? draftSignature(row["combo_id"]!, row["template_id"]!, row["llm_model_id"]!, rep)
              : row["stage"] === "essay"
              ? essaySignature(row["parent_gen_id"]!, row["template_id"]!, rep)
              : evaluationSignature(row["parent_gen_id"]!, row["template_id"]!, row["llm_model_id"]!, rep)
            expect(row["gen_id"]).toBe(hasher.idOf(row["stage"] as "draft", plain))
          }
        }
      }))
  }

  it("the stage signatures are canonicalSignature of their parts in REFERENCE §5's order", () => {
    fc.assert(
      fc.property(text, text, text, fc.integer({ min: 1, max: 2 ** 31 - 1 }), (a, b, c, r) => {
        expect(draftSignature(a, b, c, r)).toBe(canonicalSignature([a, b, c, r]))
        expect(essaySignature(a, b, r)).toBe(canonicalSignature([a, b, r]))
        expect(evaluationSignature(a, b, c, r)).toBe(canonicalSignature([a, b, c, r]))
        // A metadata file records the same parts: its signature is the same one.
        expect(signatureOfMetadata("draft", { combo_id: a, template_id: b, llm_model_id: c, replicate: r }))
          .toBe(
            normalizePart(a) === "" || normalizePart(b) === "" || normalizePart(c) === ""
              ? undefined
              : draftSignature(a, b, c, r)
          )
      }),
      { seed: 20261202, numRuns: 300 }
    )
  })

  it("REFERENCE §5's example: abc|def|ghi|1 hashes to 2b3ga1y5uw9fueg5", () =>
    Effect.runPromise(Effect.map(GenIdHasher, (hasher) => {
      expect(hasher.idOf("draft", draftSignature(" ABC", "def", "Ghi ", 1))).toBe("d_2b3ga1y5uw9fueg5")
      expect(hasher.idOf("draft", draftSignature("abd", "def", "ghi", 1))).not.toBe("d_2b3ga1y5uw9fueg5")
    })))
})
