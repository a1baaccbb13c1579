import { type GenIdHasher, writeIdBytes } from "../domain/IdHasher.js"
import type { Progress } from "../parallel/ClaimLoop.js"
import { type PackedPieces, pieceAt } from "../parallel/Packing.js"
import { ChunkBuffer } from "./ChunkBuffer.js"

// The hot loop of `plan`: evaluation rows with pure ids, made straight into CSV bytes. Free of Effect
// so that a worker thread can run it on a share of the rows.

/**
 * What the evaluation rows are made of: per essay, per evaluation template and per judge LLM the
 * bytes they put into a signature (`<text>|`) and into a CSV row (`,<origin>,<essay>,<combo>,` for an
 * essay, `<text>,` for the others), each table packed into one buffer (`PackedPieces`, made with
 * `pieceTable`); and the evaluations as columns of indices. Every part is one buffer or typed array, so
 * that the job crosses to a worker thread as it is (in shared memory, nothing copied or unpacked).
 */
export interface EvaluationRowsJob {
  readonly essayHash: PackedPieces
  readonly essayRow: PackedPieces
  readonly templateHash: PackedPieces
  readonly templateRow: PackedPieces
  readonly llmHash: PackedPieces
  readonly llmRow: PackedPieces
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
  const llmCount = job.llmHash.ends.length
  const hashBytes = job.essayHash.bytes
  const hashEnds = job.essayHash.ends
  const rowBytes = job.essayRow.bytes
  const rowEnds = job.essayRow.ends
  const input = hasher.input
  let lastEssay = -1
  let head = 0
  let rowStart = 0
  let rowEnd = 0
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
        hash: Buffer.concat([pieceAt(job.templateHash, t), pieceAt(job.llmHash, l), digits]),
        row: Buffer.concat([pieceAt(job.templateRow, t), pieceAt(job.llmRow, l), digits, Buffer.of(NEWLINE)])
      }
      byReplicate[r] = tail
    }
    if (e !== lastEssay) {
      // The essay's signature head, copied byte by byte (short: a view of it would cost more).
      const start = e === 0 ? 0 : hashEnds[e - 1]!
      head = hashEnds[e]! - start
      for (let k = 0; k < head; k++) input[k] = hashBytes[start + k]!
      rowStart = e === 0 ? 0 : rowEnds[e - 1]!
      rowEnd = rowEnds[e]!
      lastEssay = e
    }
    // Every piece is a few bytes: copied in loops, which beat `set` here (huge-2m5 on one thread 1.48 →
    // 1.37 s).
    const tailHash = tail.hash
    for (let k = 0; k < tailHash.length; k++) input[head + k] = tailHash[k]!
    const digest = hasher.digestOf(head + tailHash.length)
    const tailRow = tail.row
    out.ensure(STAGE.length + ROW_OVERHEAD + (rowEnd - rowStart) + tailRow.length)
    const buffer = out.buffer
    let pos = out.pos
    for (let k = 0; k < STAGE.length; k++) buffer[pos++] = STAGE[k]!
    pos = writeIdBytes("evaluation", digest, buffer, pos)
    for (let k = rowStart; k < rowEnd; k++) buffer[pos++] = rowBytes[k]!
    for (let k = 0; k < tailRow.length; k++) buffer[pos++] = tailRow[k]!
    out.pos = pos
  }
}

/** Rows are claimed this many at a time (about 350 KiB of CSV) by whichever thread is free. */
export const RANGE = 4_096

/** The bytes of the rows [start, start + RANGE) of a job, and the slab each chunk is in (-1: none). */
export interface EncodedRange {
  readonly start: number
  readonly chunks: ReadonlyArray<Uint8Array>
  readonly slabs: ReadonlyArray<number>
}

/** Buffers of this size in shared memory hold the rows being made, reused once written. */
const SLAB_BYTES = 1 << 20
const SLAB_COUNT = 16

/**
 * The buffers (slabs) every thread making evaluation rows fills, in shared memory: a slab is taken by a
 * thread, filled, handed to the writer (the main thread) and freed once written, so that the rows in
 * flight take at most these 16 MiB and no buffer is left for the garbage collector. A thread that
 * finds none free (the writer fell behind) takes a fresh buffer instead of waiting. Without reuse (the
 * writer may keep the chunks) there are no slabs: every buffer is fresh.
 */
export interface Slabs {
  readonly memory: SharedArrayBuffer
  /** Per slab: 1 while a thread holds it (filling it, or until it is written). */
  readonly taken: Int32Array
}

export const makeSlabs = (reuse: boolean): Slabs => {
  const count = reuse ? SLAB_COUNT : 0
  return { memory: new SharedArrayBuffer(SLAB_BYTES * count), taken: new Int32Array(new SharedArrayBuffer(4 * count)) }
}

/** A free slab (at least `bytes` long) taken, or a fresh buffer when none is. */
const takeSlab = (slabs: Slabs, bytes: number): Buffer => {
  if (bytes <= SLAB_BYTES) {
    for (let i = 0; i < slabs.taken.length; i++) {
      if (Atomics.compareExchange(slabs.taken, i, 0, 1) === 0) {
        return Buffer.from(slabs.memory, i * SLAB_BYTES, SLAB_BYTES)
      }
    }
  }
  return Buffer.from(new SharedArrayBuffer(Math.max(bytes, SLAB_BYTES)))
}

/**
 * Counts the chunks of each slab handed to the writer and frees a slab once all of them are written.
 * Every chunk of a slab is handed over at once (`ClaimedRows` hands out whole slabs only).
 */
export class SlabRelease {
  private readonly unwritten = new Int32Array(SLAB_COUNT)
  private queued = 0

  constructor(private readonly slabs: Slabs) {}

  handed(ranges: ReadonlyArray<EncodedRange>): void {
    for (const range of ranges) {
      for (const slab of range.slabs) if (slab >= 0) this.unwritten[slab]!++
      for (const chunk of range.chunks) this.queued += chunk.length
    }
  }

  written(range: EncodedRange): void {
    for (const slab of range.slabs) {
      if (slab >= 0 && --this.unwritten[slab]! === 0) Atomics.store(this.slabs.taken, slab, 0)
    }
    for (const chunk of range.chunks) this.queued -= chunk.length
  }

  /** Bytes handed to the writer and not written yet (in slabs or in fresh buffers). */
  get queuedBytes(): number {
    return this.queued
  }
}

/**
 * The writer is behind when more bytes wait for it than half the slabs hold: the thread making rows then
 * waits for it, so that ranges keep finding a free slab instead of a fresh buffer. (At the whole 16 MiB a
 * 10M-row plan peaked at 535 MB, at half at 373 MB, as before the writer had a fiber of its own: 368 MB.)
 */
export const MAX_QUEUED_BYTES = (SLAB_BYTES * SLAB_COUNT) / 2

/**
 * Encodes ranges of rows claimed from the shared counter `next` into slabs and hands them to `emit` as
 * soon as their slabs are full (or at `end`), so that they can be written while later ranges are still
 * being made.
 */
export class ClaimedRows {
  private readonly bytes: ChunkBuffer
  private readonly tails: Tails = []
  private pending: Array<EncodedRange> = []
  private lastBytes = 0

  constructor(
    private readonly job: EvaluationRowsJob,
    private readonly hasher: GenIdHasher,
    private readonly next: Int32Array,
    private readonly size: number,
    private readonly slabs: Slabs,
    private readonly emit: (ranges: ReadonlyArray<EncodedRange>) => void
  ) {
    this.bytes = new ChunkBuffer((bytes) => takeSlab(slabs, bytes))
  }

  /** The range claimed and not finished: its rows [at, to) are still to make. */
  private start = 0
  private at = 0
  private to = 0

  /**
   * Claims and encodes ranges until none is left or about `budget` rows are done. A budget smaller than a
   * range stops inside one, which the next call goes on with: `more` stays true until it is finished.
   */
  run(budget = Infinity): Progress {
    let done = 0
    for (;;) {
      if (this.at >= this.to) {
        if (done >= budget) return { done, more: Atomics.load(this.next, 0) < this.size }
        const start = Atomics.add(this.next, 0, RANGE)
        if (start >= this.size) return { done, more: false }
        this.start = start
        this.at = start
        this.to = Math.min(this.size, start + RANGE)
      }
      const to = Math.min(this.to, this.at + Math.max(1, budget - done))
      encodeEvaluationRows(this.job, this.hasher, this.at, to, this.bytes, this.tails)
      done += to - this.at
      this.at = to
      if (to === this.to) this.finishRange()
      if (done >= budget) return { done, more: this.at < this.to || Atomics.load(this.next, 0) < this.size }
    }
  }

  /** The range just made becomes one pending range of chunks. */
  private finishRange(): void {
    const bytes = this.bytes
    bytes.cut()
    const chunks = bytes.take()
    const slabs = chunks.map((c) => (c.buffer === this.slabs.memory ? Math.floor(c.byteOffset / SLAB_BYTES) : -1))
    this.pending.push({ start: this.start, chunks, slabs })
    // A slab is handed out once the next range would likely not fit in what is left of it.
    this.lastBytes = chunks.reduce((n, c) => n + c.length, 0)
    if (bytes.buffer.length - bytes.pos < this.lastBytes + (this.lastBytes >> 2)) this.end()
  }

  /** Hands out every range made so far; the slab being filled is done with. */
  end(): void {
    this.bytes.flush()
    this.bytes.take()
    if (this.pending.length === 0) return
    const ranges = this.pending
    this.pending = []
    this.emit(ranges)
  }
}

/**
 * Puts ranges made by several threads back in order: `add` them as they come, `ready` gives the ones
 * that follow those given so far without a gap.
 */
export class RangeOrder {
  private readonly held = new Map<number, EncodedRange>()
  /** The first row not given out yet. */
  private frontier = 0

  constructor(private readonly size: number) {}

  add(ranges: ReadonlyArray<EncodedRange>): void {
    for (const range of ranges) this.held.set(range.start, range)
  }

  ready(): Array<EncodedRange> {
    const out: Array<EncodedRange> = []
    for (let range = this.held.get(this.frontier); range !== undefined; range = this.held.get(this.frontier)) {
      this.held.delete(this.frontier)
      out.push(range)
      this.frontier = Math.min(this.size, this.frontier + RANGE)
    }
    return out
  }

  /** Whether `ready` would give at least one range. */
  get hasReady(): boolean {
    return this.held.has(this.frontier)
  }

  /** Whether every row was given out. */
  get complete(): boolean {
    return this.frontier >= this.size
  }
}
