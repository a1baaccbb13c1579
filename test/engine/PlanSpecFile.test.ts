import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { createHash } from "node:crypto"
import * as path from "node:path"
import {
  definitionFromDesignRows,
  definitionOfSpec,
  generateMembership,
  makeInMemoryRegistry,
  membershipStream,
  parseSpec,
  planSpecFile
} from "../../src/index.js"
import { repoRoot } from "../support/Fixtures.js"

// bench/ORIGINAL.md: the original's membership CSV of medium-112k (cohort id "bench") has this md5.
const MEDIUM_MD5 = "d3acddb6fc9c243fa01f09cc813df494"
const medium = path.join(repoRoot, "bench", "medium-112k", "config.yaml")

describe("the engine from the package root", () => {
  it.effect(
    "planSpecFile streams the bytes of `cohort plan` (the original's md5 of bench/medium-112k)",
    () =>
      Effect.gen(function*() {
        const hash = createHash("md5")
        let chunks = 0
        yield* Stream.runForEach(planSpecFile(medium, { cohortId: "bench" }), (chunk) =>
          Effect.sync(() => {
            chunks++
            hash.update(chunk)
          }))
        expect(chunks).toBeGreaterThan(1)
        expect(hash.digest("hex")).toBe(MEDIUM_MD5)
      }).pipe(Effect.provide(NodeContext.layer)),
    60_000
  )

  it.effect("planSpecFile in JSON Lines: one object per row, keys MEMBERSHIP_COLUMNS", () =>
    Effect.gen(function*() {
      const spec = path.join(repoRoot, "examples", "data", "cohorts", "daydream-pilot", "spec", "config.yaml")
      const bytes = yield* Stream.runCollect(planSpecFile(spec, { cohortId: "pilot", format: "jsonl" }))
      const lines = Buffer.concat(Chunk.toArray(bytes)).toString("utf8").trim().split("\n")
      const definition = yield* definitionOfSpec(yield* parseSpec(spec), { cohortId: "pilot" })
      const rows = yield* generateMembership(definition, "pilot", yield* makeInMemoryRegistry)
      expect(lines).toHaveLength(rows.genId.length)
      expect(JSON.parse(lines[0]!)).toMatchObject({ stage: "draft", gen_id: rows.genId[0], origin_cohort_id: "pilot" })
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("membershipStream's column batches add up to generateMembership's rows", () =>
    Effect.gen(function*() {
      const rows = Array.from({ length: 300 }, (_, i) => ({
        combo_id: `c${i % 7}`,
        draft_template: "dt",
        draft_llm: "m1",
        essay_template: `et${i % 3}`,
        essay_llm: "m1",
        evaluation_template: `vt${i % 5}`,
        evaluation_llm: `j${i}`
      }))
      const definition = yield* definitionFromDesignRows(rows)
      const registry = yield* makeInMemoryRegistry
      const batches = Chunk.toArray(yield* Stream.runCollect(membershipStream(definition, "c", registry)))
      const whole = yield* generateMembership(definition, "c", registry)
      expect(batches.flatMap((b) => [...b.genId])).toEqual([...whole.genId])
      expect(batches.flatMap((b) => [...b.stage])).toEqual([...whole.stage])
    }))
})
