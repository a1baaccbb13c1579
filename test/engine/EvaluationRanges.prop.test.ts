import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck as fc } from "effect"
import { loadGenIdHasher } from "../../src/domain/IdHasher.js"
import { ChunkBuffer } from "../../src/engine/ChunkBuffer.js"
import {
  ClaimedRows,
  type EncodedRange,
  encodeEvaluationRows,
  type EvaluationRowsJob,
  makeSlabs,
  RangeOrder,
  SlabRelease
} from "../../src/engine/EvaluationRows.js"
import { membershipEncoder } from "../../src/engine/MembershipEncoder.js"
import { membershipSource } from "../../src/engine/MembershipSource.js"
import { ArtifactWriteFailed } from "../../src/errors/ArtifactWriteFailed.js"
import { definitionFromDesignRows, generateMembership, GenIdHasher, makeInMemoryRegistry } from "../../src/index.js"
import { sharedCounter } from "../../src/parallel/ClaimLoop.js"
import { packPieces } from "../../src/parallel/Packing.js"

// The streamed evaluation rows of `plan` (ranges claimed by several threads, put back in order and
// written while later ones are made, in slabs reused once written) against their plain reference:
// every row made in one go by `encodeEvaluationRows`.

const utf8 = (text: string) => Buffer.from(text, "utf8")

/** A job of `size` evaluations over a few essays, templates and LLMs (UTF-8 and long pieces included). */
const jobOf = (size: number, seed: number): EvaluationRowsJob => {
  const essays = 1 + (seed % 97)
  const name = (i: number) => `e${i}${"ü".repeat(i % 5)}${"x".repeat((i * 37) % 200)}`
  const parent = new Int32Array(size)
  const template = new Int32Array(size)
  const llm = new Int32Array(size)
  const replicate = new Int32Array(size)
  for (let i = 0; i < size; i++) {
    parent[i] = Math.floor((i * essays) / Math.max(1, size))
    template[i] = (i + seed) % 3
    llm[i] = (i >> 1) % 2
    replicate[i] = 1 + (i % 7)
  }
  return {
    essayHash: packPieces(Array.from({ length: essays }, (_, e) => utf8(`${name(e)}|`))),
    essayRow: packPieces(Array.from({ length: essays }, (_, e) => utf8(`,co,${name(e)},combo${e},`))),
    templateHash: packPieces(["t0|", "t1|", "评|"].map(utf8)),
    templateRow: packPieces(["t0,", "t1,", "评,"].map(utf8)),
    llmHash: packPieces(["j1|", "j2|"].map(utf8)),
    llmRow: packPieces(["j1,", "J2,"].map(utf8)),
    parent,
    template,
    llm,
    replicate
  }
}

const whole = (job: EvaluationRowsJob, hasher: Awaited<ReturnType<typeof loadGenIdHasher>>) => {
  const out = new ChunkBuffer()
  encodeEvaluationRows(job, hasher, 0, job.parent.length, out)
  out.flush()
  return Buffer.concat(out.take())
}

describe("streamed evaluation rows", () => {
  it.effect(
    "ranges claimed by several encoders in any interleaving and step size, written in any rhythm, are the rows made in one go; every slab is freed",
    () =>
      Effect.gen(function*() {
        const hasher = yield* Effect.promise(loadGenIdHasher)
        const cases = fc.sample(
          fc.record({
            size: fc.integer({ min: 0, max: 60_000 }),
            threads: fc.integer({ min: 1, max: 3 }),
            // Which encoder works next, on how many rows (a step may stop inside a range), and whether the
            // writer takes what is ready after that step.
            schedule: fc.array(
              fc.tuple(fc.nat(2), fc.oneof(fc.constant(4_096), fc.integer({ min: 1, max: 9_000 })), fc.boolean()),
              { minLength: 1, maxLength: 64 }
            )
          }),
          { numRuns: 25, seed: 20261202 }
        )
        for (const { schedule, size, threads } of cases) {
          const job = jobOf(size, size)
          const next = sharedCounter()
          const slabs = makeSlabs(true)
          const release = new SlabRelease(slabs)
          const order = new RangeOrder(size)
          const handed = (ranges: ReadonlyArray<EncodedRange>) => {
            release.handed(ranges)
            // Handed over in reverse: arrival order is not row order.
            order.add([...ranges].reverse())
          }
          const encoders = Array.from(
            { length: threads },
            () => new ClaimedRows(job, hasher, next, size, slabs, handed)
          )
          const written: Array<Uint8Array> = []
          const write = () => {
            for (const range of order.ready()) {
              written.push(...range.chunks.map((c) => Buffer.from(c)))
              release.written(range)
            }
          }
          // Each encoder runs until it says nothing is left for it (another may still be inside a range).
          const working = new Set(encoders)
          for (let step = 0; working.size > 0; step++) {
            const [which, budget, writeNow] = schedule[step % schedule.length]!
            const encoder = [...working][which % working.size]!
            if (!encoder.run(budget).more) working.delete(encoder)
            if (writeNow) write()
          }
          encoders.forEach((e) => e.end())
          write()
          expect(order.complete).toBe(true)
          expect(Buffer.concat(written).equals(whole(job, hasher))).toBe(true)
          expect(Array.from(slabs.taken)).toEqual(new Array(slabs.taken.length).fill(0))
        }
      })
  )

  // 3 combos x 2 draft templates x 2 essay templates x 40 evaluation templates x 120 LLMs: 57,600
  // evaluations (14 ranges), well over the rows made in one go, so that they are streamed in ranges.
  const bigDesign = () => {
    const rows: Array<Record<string, string>> = []
    for (const combo of ["c1", "c,2", "ç3"]) {
      for (const draftTemplate of ["dt", "d\"t"]) {
        for (const essayTemplate of ["et", "ét"]) {
          for (let t = 0; t < 40; t++) {
            for (let l = 0; l < 120; l++) {
              rows.push({
                combo_id: combo,
                draft_template: draftTemplate,
                draft_llm: "m1",
                essay_template: essayTemplate,
                essay_llm: "m1",
                evaluation_template: `vt${t}`,
                evaluation_llm: `j${l}`,
                evaluation_replicate: "2"
              })
            }
          }
        }
      }
    }
    return rows
  }

  for (const reuseBuffers of [false, true]) {
    it.effect(
      `a streamed plan of many evaluations, written slowly, is the csv of generateMembership (${
        reuseBuffers ? "buffers reused: the writer copies" : "the writer keeps every chunk"
      })`,
      () =>
        Effect.gen(function*() {
          const definition = yield* definitionFromDesignRows(bigDesign())
          const registry = yield* makeInMemoryRegistry
          const chunks: Array<Uint8Array> = []
          let n = 0
          yield* membershipSource("csv", definition, "co,hort", registry, yield* GenIdHasher, { reuseBuffers })((
            chunk
          ) =>
            Effect.suspend(() => {
              const bytes = chunk as Uint8Array
              chunks.push(reuseBuffers ? Buffer.from(bytes) : bytes)
              // Every third write takes a turn of the event loop, as a real file's write does.
              return n++ % 3 === 0 ? Effect.promise(() => new Promise((resolve) => setImmediate(resolve))) : Effect.void
            })
          )
          const encoder = membershipEncoder("csv")
          const expected = Buffer.concat([
            ...encoder.add(yield* generateMembership(definition, "co,hort", registry)),
            ...encoder.end()
          ])
          expect(definition.evaluations.length).toBe(57_600)
          expect(Buffer.concat(chunks).equals(expected)).toBe(true)
        })
    )
  }

  it.effect("a write failing mid-way is the plan's failure, and nothing is written after it", () =>
    Effect.gen(function*() {
      const definition = yield* definitionFromDesignRows(bigDesign())
      const registry = yield* makeInMemoryRegistry
      let writes = 0
      let afterFailure = 0
      let failed = false
      const result = yield* Effect.either(
        membershipSource("csv", definition, "c", registry, yield* GenIdHasher)(() =>
          Effect.suspend(() => {
            if (failed) afterFailure++
            if (++writes === 5) {
              failed = true
              return Effect.fail(new ArtifactWriteFailed({ path: "membership.csv", cause: "disk full" }))
            }
            return Effect.void
          })
        )
      )
      expect(result._tag).toBe("Left")
      expect(result._tag === "Left" && result.left._tag === "ArtifactWriteFailed" && result.left.cause).toBe(
        "disk full"
      )
      expect(afterFailure).toBe(0)
    }))
})
