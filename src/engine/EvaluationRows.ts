import { type GenIdHasher, writeIdBytes } from "../domain/IdHasher.js"
import { claimRanges } from "../parallel/ClaimLoop.js"
import { type PackedPieces, packPieces, unpackPieces } from "../parallel/Packing.js"
import { ChunkBuffer } from "./ChunkBuffer.js"

// The hot loop of `plan`: evaluation rows with pure ids, made straight into CSV bytes. Free of Effect
// so that a worker thread can run it on a share of the rows.

/**
 * What the evaluation rows are made of: per essay, per evaluation template and per judge LLM the
 * bytes they put into a signature (`<text>|`) and into a CSV row (`,<origin>,<essay>,<combo>,` for an
 * essay, `<text>,` for the others), encoded once; and the evaluations as columns of indices.
 */
export interface EvaluationRowsJob {
  readonly essayHash: ReadonlyArray<Uint8Array>
  readonly essayRow: ReadonlyArray<Uint8Array>
  readonly templateHash: ReadonlyArray<Uint8Array>
  readonly templateRow: ReadonlyArray<Uint8Array>
  readonly llmHash: ReadonlyArray<Uint8Array>
  readonly llmRow: ReadonlyArray<Uint8Array>
  readonly parent: Int32Array
  readonly template: Int32Array
  readonly llm: Int32Array
  readonly replicate: Int32Array
}

/** The longest row this loop makes, beyond its pieces: stage, id, separators, replicate, newline. */
export const ROW_OVERHEAD = 64
/** Digits of a replicate at most (they stay below 2^31, MAX_REPLICATE). */
export const REPLICATE_DIGITS = 10

const STAGE = Buffer.from("evaluation,", "latin1")
const NEWLINE = 0x0a

/** The signature and row tails of (template, LLM, replicate) met so far, by template * LLMs + LLM, then replicate. */
type Tails = Array<Array<{ readonly hash: Uint8Array; readonly row: Uint8Array }>>

/**
 * Rows [from, to) of a job into `out` (`tails` kept across calls over the same job). The template, LLM
 * and replicate of an evaluation are combined into one signature tail and one row tail the first time they
 * meet; an essay's signature head stays in the hasher's input while consecutive rows share it.
 */
export const encodeEvaluationRows = (
  job: EvaluationRowsJob,
  hasher: GenIdHasher,
  from: number,
  to: number,
  out: ChunkBuffer,
  tails: Tails = []
): void => {
  const { llm, parent, replicate, template } = job
  const llmCount = job.llmHash.length
  const input = hasher.input
  let lastEssay = -1
  let head = 0
  for (let i = from; i < to; i++) {
    const e = parent[i]!
    const t = template[i]!
    const l = llm[i]!
    const r = replicate[i]!
    const byReplicate = tails[t * llmCount + l] ??= []
    let tail = byReplicate[r]
    if (tail === undefined) {
      const digits = Buffer.from(String(r), "latin1")
      tail = {
        hash: Buffer.concat([job.templateHash[t]!, job.llmHash[l]!, digits]),
        row: Buffer.concat([job.templateRow[t]!, job.llmRow[l]!, digits, Buffer.of(NEWLINE)])
      }
      byReplicate[r] = tail
    }
    if (e !== lastEssay) {
      const bytes = job.essayHash[e]!
      input.set(bytes, 0)
      head = bytes.length
      lastEssay = e
    }
    input.set(tail.hash, head)
    const digest = hasher.digestOf(head + tail.hash.length)
    const essayRow = job.essayRow[e]!
    out.ensure(STAGE.length + ROW_OVERHEAD + essayRow.length + tail.row.length)
    const buffer = out.buffer
    buffer.set(STAGE, out.pos)
    let pos = writeIdBytes("evaluation", digest, buffer, out.pos + STAGE.length)
    buffer.set(essayRow, pos)
    pos += essayRow.length
    buffer.set(tail.row, pos)
    out.pos = pos + tail.row.length
  }
}

/** Rows are claimed this many at a time (about 350 KiB of CSV) by whichever thread is free. */
const RANGE = 4_096

/** The bytes of the rows [start, start + RANGE) of a job. */
export interface EncodedRange {
  readonly start: number
  readonly chunks: ReadonlyArray<Uint8Array>
}

/** Encodes ranges of rows claimed from the shared counter `next` until none is left. */
export const encodeClaimed = (
  job: EvaluationRowsJob,
  hasher: GenIdHasher,
  next: Int32Array,
  size: number
): { readonly done: number; readonly ranges: Array<EncodedRange> } => {
  const ranges: Array<EncodedRange> = []
  // One buffer for all the ranges: a range (~350 KiB) is cut from the ~1 MiB chunks, not given its own.
  const bytes = new ChunkBuffer()
  const tails: Tails = []
  const { done } = claimRanges(next, size, RANGE, (start, end) => {
    encodeEvaluationRows(job, hasher, start, end, bytes, tails)
    bytes.cut()
    ranges.push({ start, chunks: bytes.take() })
    return end - start
  })
  return { done, ranges }
}

/** A job as one message: each piece table packed into one buffer (`packPieces`: cheap to copy to a worker). */
export interface PackedJob {
  readonly tables: ReadonlyArray<PackedPieces>
  readonly parent: Int32Array
  readonly template: Int32Array
  readonly llm: Int32Array
  readonly replicate: Int32Array
}

const TABLES = ["essayHash", "essayRow", "templateHash", "templateRow", "llmHash", "llmRow"] as const

export const packJob = (job: EvaluationRowsJob): PackedJob => ({
  tables: TABLES.map((name) => packPieces(job[name])),
  parent: job.parent,
  template: job.template,
  llm: job.llm,
  replicate: job.replicate
})

export const unpackJob = (packed: PackedJob): EvaluationRowsJob => {
  const [essayHash, essayRow, templateHash, templateRow, llmHash, llmRow] = packed.tables.map((table) =>
    unpackPieces(table)
  )
  return {
    essayHash: essayHash!,
    essayRow: essayRow!,
    templateHash: templateHash!,
    templateRow: templateRow!,
    llmHash: llmHash!,
    llmRow: llmRow!,
    parent: packed.parent,
    template: packed.template,
    llm: packed.llm,
    replicate: packed.replicate
  }
}
