import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck } from "effect"
import { writeIdBytes } from "../../src/domain/IdHasher.js"
import { canonicalSignature } from "../../src/domain/Signature.js"
import { computeGenId, GenIdHasher } from "../../src/index.js"
import { fixturePath, goldenMemberships, readCsv } from "../support/Fixtures.js"

const referenceFiles = [
  ...goldenMemberships().map((g) => g.file),
  fixturePath("example-expected", "daydream-pilot.membership-full.csv")
]

describe("computeGenId", () => {
  it.effect("reproduces the REFERENCE example", () =>
    Effect.gen(function*() {
      expect(yield* computeGenId("draft", ["abc", "def", "ghi", 1])).toBe("d_2b3ga1y5uw9fueg5")
    }))

  it.effect("uses the stage prefix and lower-case base36 digits", () =>
    Effect.gen(function*() {
      const essay = yield* computeGenId("essay", ["abc", "def", "ghi", 1])
      const evaluation = yield* computeGenId("evaluation", ["abc", "def", "ghi", 1])
      expect(essay).toBe("e_2b3ga1y5uw9fueg5")
      expect(evaluation).toBe("v_2b3ga1y5uw9fueg5")
      expect(essay.slice(2)).toMatch(/^[0-9a-z]+$/)
    }))

  it.effect("trims and lower-cases text parts; the replicate is an integer", () =>
    Effect.gen(function*() {
      const plain = yield* computeGenId("draft", ["abc", "def", "ghi", 1])
      expect(yield* computeGenId("draft", ["  ABC ", "Def", "GHI\t", 1])).toBe(plain)
      expect(yield* computeGenId("draft", ["abc", "def", "ghi", 2])).not.toBe(plain)
      expect(canonicalSignature([" A ", "B", 3])).toBe("a|b|3")
    }))

  it.effect("a collision index hashes `|collision:i` and appends `-i`", () =>
    Effect.gen(function*() {
      const base = yield* computeGenId("draft", ["abc", "def", "ghi", 1])
      const first = yield* computeGenId("draft", ["abc", "def", "ghi", 1], 1)
      const hasher = yield* GenIdHasher
      expect(first).toBe(`${hasher.idOf("draft", "abc|def|ghi|1|collision:1")}-1`)
      expect(first.startsWith("d_")).toBe(true)
      expect(first.endsWith("-1")).toBe(true)
      expect(first.slice(0, -2)).not.toBe(base)
      expect(yield* computeGenId("draft", ["abc", "def", "ghi", 1], 0)).toBe(base)
    }))

  // Expected ids from Python: prefix + base36(int.from_bytes(hashlib.blake2b(text.encode(), digest_size=10).digest(), "big")).
  it.effect("hashes non-ASCII text as UTF-8, and texts longer than the hasher's buffer in pieces", () =>
    Effect.gen(function*() {
      const hasher = yield* GenIdHasher
      expect(hasher.idOf("draft", "Ünïcödé|模板|m|1")).toBe("d_4ay3oqzfhbnqqfua")
      expect(hasher.idOf("draft", `${"é".repeat(200_000)}|t|m|1`)).toBe("d_3uyvvfcezaxqqr16")
      expect(hasher.idOf("draft", `${"x".repeat(1_100_000)}|t|m|1`)).toBe("d_3wgnc1aapjxc7i1s")
      // The hasher's state is clean after a long text.
      expect(hasher.idOf("draft", "abc|def|ghi|1")).toBe("d_2b3ga1y5uw9fueg5")
    }))

  it("writes base36 digits as BigInt would, for any digest (zeros, all ones, leading zero groups)", () => {
    const digest = FastCheck.oneof(
      FastCheck.uint8Array({ minLength: 10, maxLength: 10 }),
      FastCheck.constantFrom(
        new Uint8Array(10),
        new Uint8Array(10).fill(255),
        Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 1)
      )
    )
    FastCheck.assert(
      FastCheck.property(digest, (d) => {
        const expected = `v_${BigInt(`0x${Buffer.from(d).toString("hex")}`).toString(36)}`
        const out = new Uint8Array(32)
        const end = writeIdBytes("evaluation", d, out, 3)
        expect(Buffer.from(out.subarray(3, end)).toString("latin1")).toBe(expected)
      }),
      { numRuns: 2000, seed: 1206 }
    )
  })

  for (const file of referenceFiles) {
    const name = file.split("/fixtures/")[1]
    it.effect(`reproduces every id of ${name}`, () =>
      Effect.gen(function*() {
        const { rows } = readCsv(file)
        expect(rows.length).toBeGreaterThan(0)
        for (const row of rows) {
          const replicate = Number(row.replicate)
          const id = row.stage === "draft"
            ? yield* computeGenId("draft", [row.combo_id!, row.template_id!, row.llm_model_id!, replicate])
            : row.stage === "essay"
            ? yield* computeGenId("essay", [row.parent_gen_id!, row.template_id!, replicate])
            : yield* computeGenId("evaluation", [row.parent_gen_id!, row.template_id!, row.llm_model_id!, replicate])
          expect(id).toBe(row.gen_id)
        }
      }))
  }
})
