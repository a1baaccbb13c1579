import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import type { EvaluationRowsJob } from "../../src/engine/EvaluationRows.js"
import { packColumns, packVerification, unpackColumns, unpackVerification } from "../../src/gens/GensWork.js"
import {
  longestPiece,
  type PackedPieces,
  packLines,
  packPieces,
  packTexts,
  packWholeNumber,
  pieceAt,
  pieceTable,
  TextCodes,
  unpackLines,
  unpackTexts,
  unpackWholeNumbers,
  wholeNumbers
} from "../../src/parallel/Packing.js"

/**
 * The one packing format of what crosses to a worker (parallel/Packing.ts) and its two users, the plan's
 * evaluation job and a build's metadata columns: what is unpacked after a structured clone (as a worker
 * receives it) is what was packed. Seeds are fixed so a failure replays.
 */

const RUNS = (seed: number) => ({ fastCheck: { numRuns: 200, seed } })

const pieces = fc.array(fc.uint8Array({ maxLength: 12 }), { maxLength: 30 })
/** Texts without a newline: ids, which are checked folder names. */
const line = fc.string({ unit: "grapheme", maxLength: 12 }).filter((s) => !s.includes("\n"))
/** Whole numbers ≥ 1 as metadata holds them: a number up to 2^31 - 1, a bigint beyond. */
const wholeNumber = fc.oneof(
  fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  fc.bigInt({ min: 2n ** 31n, max: 2n ** 80n })
)
/** Any texts: ASCII, other planes, lone surrogate halves (which UTF-8 encodes as U+FFFD each). */
const texts = fc.array(
  fc.oneof(
    fc.string({ unit: "binary-ascii", maxLength: 12 }),
    fc.string({ unit: "grapheme", maxLength: 12 }),
    fc.string({ unit: "binary", maxLength: 12 }),
    fc.string({ unit: fc.constantFrom("a", "é", "\ud83d", "\ude00", "😀"), maxLength: 6 })
  ),
  { maxLength: 30 }
)
const piecesOf = (packed: PackedPieces) => Array.from(packed.ends, (_, i) => Array.from(pieceAt(packed, i)))
const int32s = fc.array(fc.integer({ min: 0, max: 2 ** 31 - 1 }), { maxLength: 30 }).map((a) => Int32Array.from(a))

describe("the packing format", () => {
  it.prop("byte pieces come back as the same pieces; the longest is the longest", [pieces], ([ps]) => {
    const packed = structuredClone(packPieces(ps))
    expect(piecesOf(packed)).toEqual(ps.map((p) => Array.from(p)))
    expect(longestPiece(packed)).toBe(ps.reduce((n, p) => Math.max(n, p.length), 0))
  }, RUNS(2101))

  it.prop("texts packed in one go (pieceTable) are packPieces of each text's UTF-8 bytes", [texts], ([ts]) => {
    const fast = structuredClone(pieceTable(ts))
    const plain = packPieces(ts.map((t) => Buffer.from(t, "utf8")))
    expect(Array.from(fast.ends)).toEqual(Array.from(plain.ends))
    expect(Array.from(fast.bytes)).toEqual(Array.from(plain.bytes))
  }, RUNS(2107))

  it.prop("texts without a newline come back as the same texts (empty strings too)", [fc.array(line)], ([texts]) => {
    expect(unpackLines(structuredClone(packLines(texts)), texts.length)).toEqual(texts)
  }, RUNS(2102))

  it("a text with a newline is a defect when unpacked, never shifted rows", () => {
    expect(() => unpackLines(packLines(["a\nb", "c"]), 2)).toThrow(/3 for 2 rows/)
  })

  it.prop("any texts (newlines, surrogate pairs, empty strings) come back as the same texts", [
    fc.array(fc.string({ unit: "binary", maxLength: 12 }), { maxLength: 30 })
  ], ([texts]) => {
    expect(unpackTexts(structuredClone(packTexts(texts)))).toEqual(texts)
  }, RUNS(2107))

  it.prop("text codes give each distinct text one code, in first-seen order", [fc.array(line)], ([texts]) => {
    const codes = new TextCodes()
    const coded = texts.map((t) => codes.code(t))
    expect(coded.map((c) => codes.texts[c])).toEqual(texts)
    expect(codes.texts).toEqual([...new Set(texts)])
  }, RUNS(2103))

  it.prop("whole numbers come back as they were, bigints beyond 2^31 - 1 included", [
    fc.array(wholeNumber, { maxLength: 30 })
  ], ([values]) => {
    const packed = wholeNumbers(values.length)
    values.forEach((v, i) => packWholeNumber(packed, i, v))
    expect(unpackWholeNumbers(structuredClone(packed))).toEqual(values)
  }, RUNS(2104))
})

describe("its users", () => {
  it.prop("a build's metadata columns (packColumns) round-trip, bigint replicates included", [
    fc.array(
      fc.record({
        stage: fc.constantFrom("draft" as const, "essay" as const, "evaluation" as const),
        gen_id: fc.stringMatching(/^[dev]_[0-9a-z]{1,20}(?:-[1-9])?$/),
        parent_gen_id: fc.oneof(fc.constant(""), fc.stringMatching(/^[de]_[0-9a-z]{1,20}$/)),
        combo_id: fc.string(),
        template_id: fc.string(),
        llm_model_id: fc.string(),
        replicate: wholeNumber
      }),
      { maxLength: 40 }
    )
  ], ([rows]) => {
    const columns = {
      stage: rows.map((r) => r.stage),
      gen_id: rows.map((r) => r.gen_id),
      parent_gen_id: rows.map((r) => r.parent_gen_id),
      combo_id: rows.map((r) => r.combo_id),
      template_id: rows.map((r) => r.template_id),
      llm_model_id: rows.map((r) => r.llm_model_id),
      replicate: rows.map((r) => r.replicate)
    }
    expect(unpackColumns(structuredClone(packColumns(columns)))).toEqual(columns)
  }, RUNS(2105))

  it.prop("a build's verification of existing metadata (packVerification) round-trips, its memory still shared", [
    fc.array(fc.tuple(fc.stringMatching(/^v_[0-9a-z]{1,20}$/), fc.string({ unit: "binary" })), { maxLength: 40 })
  ], ([items]) => {
    const work = {
      stage: "evaluation" as const,
      ids: items.map(([id]) => id),
      canonicals: items.map(([, canonical]) => canonical),
      next: new Int32Array(new SharedArrayBuffer(4)),
      verdicts: new Uint8Array(new SharedArrayBuffer(items.length))
    }
    const back = unpackVerification(structuredClone(packVerification(work)))
    expect(back).toEqual(work)
    back.verdicts.fill(1)
    Atomics.store(back.next, 0, 7)
    expect([Array.from(work.verdicts), work.next[0]]).toEqual([items.map(() => 1), 7])
  }, RUNS(2108))

  it.prop("a plan's evaluation job crosses to a worker as it is", [
    fc.record({
      essayHash: pieces,
      essayRow: pieces,
      templateHash: pieces,
      templateRow: pieces,
      llmHash: pieces,
      llmRow: pieces,
      parent: int32s,
      template: int32s,
      llm: int32s,
      replicate: int32s
    })
  ], ([parts]) => {
    const job: EvaluationRowsJob = {
      ...parts,
      essayHash: packPieces(parts.essayHash),
      essayRow: packPieces(parts.essayRow),
      templateHash: packPieces(parts.templateHash),
      templateRow: packPieces(parts.templateRow),
      llmHash: packPieces(parts.llmHash),
      llmRow: packPieces(parts.llmRow)
    }
    const plain = (j: EvaluationRowsJob) =>
      Object.fromEntries(
        Object.entries(j).map(([k, v]) => [k, "ends" in v ? piecesOf(v) : Array.from(v)])
      )
    expect(plain(structuredClone(job))).toEqual(plain(job))
  }, RUNS(2106))
})
