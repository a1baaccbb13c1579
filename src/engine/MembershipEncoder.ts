import type { Option } from "effect"
import { Effect, Fiber } from "effect"
import type { GenIdHasher } from "../domain/GenId.js"
import { MEMBERSHIP_COLUMNS } from "../domain/MembershipColumns.js"
import type { PureEvaluations, PureMembership } from "../domain/MembershipGeneration.js"
import type { MembershipRows } from "../domain/MembershipRows.js"
import { yieldToEventLoop } from "../gens/GensStore.js"
import { sharedCounter, stopClaims } from "../parallel/ClaimLoop.js"
import { longestPiece, pieceTable } from "../parallel/Packing.js"
import { WorkerPool } from "../parallel/WorkerPool.js"
import { ChunkBuffer } from "./ChunkBuffer.js"
import {
  ClaimedRows,
  type EncodedRange,
  encodeEvaluationRows,
  type EvaluationRowsJob,
  makeSlabs,
  MAX_QUEUED_BYTES,
  RANGE,
  RangeOrder,
  REPLICATE_DIGITS,
  ROW_OVERHEAD,
  SlabRelease
} from "./EvaluationRows.js"
import { pureMembershipRows } from "./PureMembershipRows.js"
import { csvField, jsonLine } from "./RowFormat.js"

// The membership encoders: CSV (byte-level, with the evaluation fast path) and JSON Lines. Their plain
// twin is `csvLine`/`jsonLine` of each row (test/cli/MembershipOutput.prop.test.ts proves them equal).

/** How membership rows are written: CSV (MEMBERSHIP_COLUMNS with a header) or JSON Lines (one object per row). */
export type RowFormat = "csv" | "jsonl"

/** Encodes membership rows batch by batch: `add` returns the chunks filled so far, `end` the rest. */
export interface MembershipEncoder {
  readonly add: (rows: MembershipRows) => Array<Uint8Array>
  /**
   * Evaluation rows with pure ids made by the encoder itself (CSV only), with a worker thread making a
   * share when there is one, each range of rows written with `write` (in order) as soon as it and the
   * ones before it are made, while later ones are still being made; false when it cannot (nothing written).
   * `reuse`: `write` is done with a chunk once it completed, so its buffer may be filled again.
   */
  readonly addPureEvaluations?: <E>(
    cohortId: string,
    plan: PureEvaluations,
    hasher: GenIdHasher,
    pool: Option.Option<WorkerPool["Type"]>,
    write: (chunk: Uint8Array) => Effect.Effect<void, E>,
    reuse: boolean
  ) => Effect.Effect<boolean, E>
  /**
   * Every row of a membership of pure ids (CSV only), as `addPureEvaluations` makes the evaluations: the
   * drafts and essays too are made here; false when it cannot (nothing written).
   */
  readonly addPureMembership?: <E>(
    cohortId: string,
    plan: PureMembership,
    hasher: GenIdHasher,
    pool: Option.Option<WorkerPool["Type"]>,
    write: (chunk: Uint8Array) => Effect.Effect<void, E>,
    reuse: boolean
  ) => Effect.Effect<boolean, E>
  readonly end: () => Array<Uint8Array>
}

/** Membership rows (MEMBERSHIP_COLUMNS) as CSV, or as JSON Lines (one object per row). */
export const membershipEncoder = (format: RowFormat): MembershipEncoder => {
  if (format === "csv") return new MembershipCsvEncoder()
  const out = new ChunkBuffer()
  return {
    add: (rows) => {
      for (let i = 0; i < rows.genId.length; i++) {
        out.line(jsonLine(MEMBERSHIP_COLUMNS, [
          rows.stage[i],
          rows.genId[i],
          rows.cohortId,
          rows.parentGenId[i],
          rows.comboId[i],
          rows.templateId[i],
          rows.llmModelId[i],
          rows.replicate[i]
        ]))
      }
      return out.take()
    },
    end: () => {
      out.flush()
      return out.take()
    }
  }
}

/** A row up to this size is encoded field by field; a longer one as one line. */
const FAST_ROW_BYTES = 1024
const COMMA = 0x2c
const NEWLINE = 0x0a
/**
 * Below this many evaluations (and rows, for the pool) a worker thread costs more than it saves: since the
 * evaluation loop got fast, one thread plans 112k, 212k and 312k rows 30-60 ms (7-13%) faster than two,
 * and at 624k the two are even (medians of 11 alternating runs, 2026-12-03).
 */
export const WORKER_MIN_ROWS = 500_000
/** Below this many evaluations the rows are made in one go, then written. */
const STREAM_MIN_ROWS = 4 * RANGE

/**
 * Membership CSV without a string per row: the few distinct texts (stages, combos, templates, LLMs,
 * parents, replicates) are encoded once each and copied; ids are copied char by char when plain ASCII.
 * Rows come in batches (`add`); full ~1 MiB chunks are handed out by `add` and the rest by `end`.
 */
export class MembershipCsvEncoder implements MembershipEncoder {
  private readonly encoded = new Map<string, Uint8Array>()
  private readonly replicates: Array<Uint8Array> = []
  private readonly out = new ChunkBuffer()

  constructor() {
    this.out.copy(Buffer.from(`${MEMBERSHIP_COLUMNS.join(",")}\n`, "latin1"))
  }

  private bytesOf(text: string): Uint8Array {
    let bytes = this.encoded.get(text)
    if (bytes === undefined) {
      bytes = Buffer.from(csvField(text), "utf8")
      this.encoded.set(text, bytes)
    }
    return bytes
  }

  /** Copies a plain id (ASCII, nothing CSV must quote); false when it is not one. */
  private copyPlain(text: string): boolean {
    const { buffer, pos } = this.out
    for (let k = 0; k < text.length; k++) {
      const c = text.charCodeAt(k)
      if (c >= 0x80 || c === COMMA || c === 0x22 || c === NEWLINE || c === 0x0d) return false
      buffer[pos + k] = c
    }
    this.out.pos = pos + text.length
    return true
  }

  private comma(): void {
    this.out.buffer[this.out.pos++] = COMMA
  }

  /** Encodes a batch of rows; returns the chunks filled so far. */
  readonly add = (rows: MembershipRows): Array<Uint8Array> => {
    const out = this.out
    const origin = this.bytesOf(rows.cohortId)
    const n = rows.genId.length
    for (let i = 0; i < n; i++) {
      out.ensure(FAST_ROW_BYTES)
      const id = rows.genId[i]!
      const parent = rows.parentGenId[i]!
      const combo = this.bytesOf(rows.comboId[i]!)
      const template = this.bytesOf(rows.templateId[i]!)
      const llm = this.bytesOf(rows.llmModelId[i]!)
      const rowStart = out.pos
      // A replicate beyond 2^31 - 1 (a bigint, rare) takes the general path below.
      const fits = id.length + parent.length + combo.length + template.length + llm.length + origin.length <
          FAST_ROW_BYTES - 40 && typeof rows.replicate[i] === "number"
      if (fits) {
        out.copy(this.bytesOf(rows.stage[i]!))
        this.comma()
        if (this.copyPlain(id)) {
          this.comma()
          out.copy(origin)
          this.comma()
          if (this.copyPlain(parent)) {
            this.comma()
            out.copy(combo)
            this.comma()
            out.copy(template)
            this.comma()
            out.copy(llm)
            this.comma()
            const r = rows.replicate[i] as number
            out.copy(this.replicates[r] ??= Buffer.from(String(r), "latin1"))
            out.buffer[out.pos++] = NEWLINE
            continue
          }
        }
      }
      // A long or unusual row: encoded as one line.
      out.pos = rowStart
      const bytes = Buffer.from(
        `${csvField(rows.stage[i]!)},${csvField(id)},${csvField(rows.cohortId)},${csvField(parent)},` +
          `${csvField(rows.comboId[i]!)},${csvField(rows.templateId[i]!)},${csvField(rows.llmModelId[i]!)},` +
          `${rows.replicate[i]}\n`,
        "utf8"
      )
      out.ensure(bytes.length)
      out.copy(bytes)
    }
    return out.take()
  }

  readonly addPureEvaluations = <E>(
    cohortId: string,
    plan: PureEvaluations,
    hasher: GenIdHasher,
    pool: Option.Option<WorkerPool["Type"]>,
    write: (chunk: Uint8Array) => Effect.Effect<void, E>,
    reuse: boolean
  ): Effect.Effect<boolean, E> =>
    this.rowsOfJob(() => evaluationRowsJob(cohortId, plan, hasher.input.length), hasher, pool, write, reuse)

  /**
   * Every row of a membership of pure ids (CSV only): drafts and essays made here straight into bytes
   * (`pureMembershipRows`), then the evaluations as `addPureEvaluations` makes them; false when it cannot
   * (nothing written).
   */
  readonly addPureMembership = <E>(
    cohortId: string,
    plan: PureMembership,
    hasher: GenIdHasher,
    pool: Option.Option<WorkerPool["Type"]>,
    write: (chunk: Uint8Array) => Effect.Effect<void, E>,
    reuse: boolean
  ): Effect.Effect<boolean, E> =>
    this.rowsOfJob(
      () => pureMembershipRows(cohortId, plan, hasher, this.out, FAST_ROW_BYTES),
      hasher,
      pool,
      write,
      reuse
    )

  /** The rows of the job `makeJob` makes, written as `evaluationRows` writes them; false when it makes none. */
  private rowsOfJob<E>(
    makeJob: () => EvaluationRowsJob | undefined,
    hasher: GenIdHasher,
    pool: Option.Option<WorkerPool["Type"]>,
    write: (chunk: Uint8Array) => Effect.Effect<void, E>,
    reuse: boolean
  ): Effect.Effect<boolean, E> {
    return Effect.suspend(() => {
      const job = makeJob()
      return job === undefined
        ? Effect.succeed(false)
        : Effect.as(this.evaluationRows(job, hasher, pool, write, reuse), true)
    })
  }

  /** The evaluation rows of a job, written after the rows encoded so far. */
  private evaluationRows<E>(
    job: EvaluationRowsJob,
    hasher: GenIdHasher,
    pool: Option.Option<WorkerPool["Type"]>,
    write: (chunk: Uint8Array) => Effect.Effect<void, E>,
    reuse: boolean
  ): Effect.Effect<void, E> {
    return Effect.suspend(() => {
      const size = job.parent.length
      const out = this.out
      const writeAll = (chunks: ReadonlyArray<Uint8Array>) => Effect.forEach(chunks, write, { discard: true })
      if (size < STREAM_MIN_ROWS) {
        encodeEvaluationRows(job, hasher, 0, size, out)
        return writeAll(out.take())
      }
      // Every thread claims ranges of rows from a shared counter; the ranges are put back in order and
      // written between this thread's ranges, so that writing overlaps making the rest and no more than
      // a few ranges are held.
      out.flush()
      const before = out.take()
      const next = sharedCounter()
      const slabs = makeSlabs(reuse)
      const release = new SlabRelease(slabs)
      const order = new RangeOrder(size)
      const handed = (ranges: ReadonlyArray<EncodedRange>) => {
        release.handed(ranges)
        order.add(ranges)
      }
      const ours = new ClaimedRows(job, hasher, next, size, slabs, handed)
      const writeRanges = (ranges: ReadonlyArray<EncodedRange>) =>
        Effect.forEach(ranges, (range) => Effect.tap(writeAll(range.chunks), () => release.written(range)), {
          discard: true
        })
      let failure: { readonly error: E } | undefined
      // Ranges are written by a fiber of their own while this thread goes on making rows: awaiting each
      // write here left this thread idle for about a third of a large plan's evaluation rows (a write
      // waits for the thread pool). One writer at a time keeps the ranges in order.
      let writer: Fiber.RuntimeFiber<void> | undefined
      let writing = false
      const writeWhileReady: Effect.Effect<void, E> = Effect.suspend(() => {
        const ranges = order.ready()
        if (ranges.length === 0) return Effect.void
        return Effect.zipRight(writeRanges(ranges), writeWhileReady)
      })
      // The writer writes `first`, then the ranges ready by then and those ready as it goes.
      const drainAfter = (first: Effect.Effect<void, E>): Effect.Effect<void> =>
        Effect.zipRight(first, writeWhileReady).pipe(
          Effect.catchAll((error) =>
            Effect.sync(() => {
              failure = { error }
              stopClaims(next)
            })
          ),
          // A write that fails, dies or is interrupted ends this writer; the next one may start.
          Effect.ensuring(Effect.sync(() => {
            writing = false
          }))
        )
      const startWriter = (first: Effect.Effect<void, E>) =>
        Effect.suspend(() => {
          writing = true
          return Effect.map(Effect.fork(drainAfter(first)), (fiber) => {
            writer = fiber
          })
        })
      const writerDone = Effect.suspend(() => (writer === undefined ? Effect.void : Fiber.join(writer)))
      // While the writer keeps up, this thread only hands it ranges; once it falls behind (a slow disk or
      // consumer), this thread waits for it, so that the rows in flight stay bounded (MAX_QUEUED_BYTES).
      const writeReady = Effect.suspend(() => {
        if (writing) return release.queuedBytes > MAX_QUEUED_BYTES ? writerDone : yieldToEventLoop
        if (!order.hasReady) return yieldToEventLoop
        return Effect.zipRight(startWriter(Effect.void), yieldToEventLoop)
      })
      const parallel = size >= WORKER_MIN_ROWS
      // The writer's writes end on this thread's event loop, seen between its steps: with workers making
      // ranges too, a step of a whole range let it write about one range in three, and this thread then
      // waited for it (large-624k: 30-90 ms of waits, none at a quarter range).
      const step = parallel && pool._tag === "Some" && pool.value.workers > 0 ? RANGE / 4 : RANGE
      // The rows made so far (drafts and essays) are the writer's first write: the evaluation rows need
      // not wait for it (large-624k: 5-8 ms idle here).
      return startWriter(writeAll(before)).pipe(
        Effect.zipRight(WorkerPool.shareOn(pool, {
          kind: "evaluations",
          items: size,
          parallel,
          job: () => ({ kind: "evaluations", job, next, size, slabs }),
          onPart: (part) => handed(part.ranges),
          step: () => {
            if (failure !== undefined) return { done: 0, more: false }
            const progress = ours.run(step)
            if (!progress.more) ours.end()
            return progress
          },
          between: writeReady,
          stop: () => stopClaims(next)
        })),
        // When the rows end otherwise (a worker died, the plan was interrupted), the writer stops with
        // them: nothing is written once this returned, before the caller closes its file.
        Effect.onExit((exit) =>
          exit._tag === "Success" || writer === undefined ? Effect.void : Fiber.interrupt(writer)
        ),
        Effect.zipRight(writerDone),
        Effect.zipRight(Effect.suspend(() => {
          if (failure !== undefined) return Effect.fail(failure.error)
          const rest = order.ready()
          if (!order.complete) return Effect.dieMessage("evaluation rows: a range of rows is missing")
          return writeRanges(rest)
        })),
        Effect.asVoid
      )
    })
  }

  /** The last chunks. */
  readonly end = (): Array<Uint8Array> => {
    this.out.flush()
    return this.out.take()
  }
}

/** The pieces of the evaluation rows, or `undefined` when one is too long for the fast path. */
const evaluationRowsJob = (
  cohortId: string,
  plan: PureEvaluations,
  inputBytes: number
): EvaluationRowsJob | undefined => {
  const origin = csvField(cohortId)
  const job: EvaluationRowsJob = {
    essayHash: pieceTable(plan.normEssayIds.map((id) => `${id}|`)),
    essayRow: pieceTable(plan.essayIds.map((id, e) => `,${origin},${csvField(id)},${csvField(plan.essayCombos[e]!)},`)),
    templateHash: pieceTable(plan.normTemplates.map((t) => `${t}|`)),
    templateRow: pieceTable(plan.templates.map((t) => `${csvField(t)},`)),
    llmHash: pieceTable(plan.normLlms.map((l) => `${l}|`)),
    llmRow: pieceTable(plan.llms.map((l) => `${csvField(l)},`)),
    ...plan.evaluations
  }
  const signature = longestPiece(job.essayHash) + longestPiece(job.templateHash) + longestPiece(job.llmHash) +
    REPLICATE_DIGITS
  const row = longestPiece(job.essayRow) + longestPiece(job.templateRow) + longestPiece(job.llmRow) + ROW_OVERHEAD
  return signature <= inputBytes && row <= FAST_ROW_BYTES ? job : undefined
}
