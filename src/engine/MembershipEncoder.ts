import { Effect, Option } from "effect"
import type { GenIdHasher } from "../domain/GenId.js"
import { MEMBERSHIP_COLUMNS } from "../domain/MembershipColumns.js"
import type { PureEvaluations } from "../domain/MembershipGeneration.js"
import type { MembershipRows } from "../domain/MembershipRows.js"
import { sharedCounter, stopClaims } from "../parallel/ClaimLoop.js"
import type { WorkerPool } from "../parallel/WorkerPool.js"
import { ChunkBuffer } from "./ChunkBuffer.js"
import {
  encodeClaimed,
  type EncodedRange,
  encodeEvaluationRows,
  type EvaluationRowsJob,
  packJob,
  REPLICATE_DIGITS,
  ROW_OVERHEAD
} from "./EvaluationRows.js"
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
   * share when there is one; `undefined` when it cannot.
   */
  readonly addPureEvaluations?: (
    cohortId: string,
    plan: PureEvaluations,
    hasher: GenIdHasher,
    pool: Option.Option<WorkerPool["Type"]>
  ) => Effect.Effect<Array<Uint8Array> | undefined>
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
/** Below this many evaluations a worker thread costs more than it saves. */
export const WORKER_MIN_ROWS = 50_000

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

  readonly addPureEvaluations = (
    cohortId: string,
    plan: PureEvaluations,
    hasher: GenIdHasher,
    pool: Option.Option<WorkerPool["Type"]>
  ): Effect.Effect<Array<Uint8Array> | undefined> =>
    Effect.suspend(() => {
      const job = evaluationRowsJob(cohortId, plan, hasher.input.length)
      if (job === undefined) return Effect.succeed(undefined)
      const size = plan.evaluations.size
      const out = this.out
      if (Option.isNone(pool) || pool.value.workers === 0 || size < WORKER_MIN_ROWS) {
        encodeEvaluationRows(job, hasher, 0, size, out)
        return Effect.succeed(out.take())
      }
      // Every thread claims ranges of rows from a shared counter; the ranges are put back in order.
      out.flush()
      const before = out.take()
      const next = sharedCounter()
      let ours: ReadonlyArray<EncodedRange> = []
      return Effect.map(
        pool.value.share({
          kind: "evaluations",
          items: size,
          parallel: true,
          job: () => ({ kind: "evaluations", job: packJob(job), next, size }),
          step: () => {
            const { done, ranges } = encodeClaimed(job, hasher, next, size)
            ours = ranges
            return { done, more: false }
          },
          stop: () => stopClaims(next)
        }),
        (shared) => [
          ...before,
          ...[...ours, ...shared.fromWorkers.flatMap((w) => w.ranges ?? [])]
            .sort((a, b) => a.start - b.start)
            .flatMap((r) => r.chunks)
        ]
      )
    })

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
  const utf8 = (text: string) => Buffer.from(text, "utf8")
  const origin = csvField(cohortId)
  const job: EvaluationRowsJob = {
    essayHash: plan.normEssayIds.map((id) => utf8(`${id}|`)),
    essayRow: plan.essayIds.map((id, e) => utf8(`,${origin},${csvField(id)},${csvField(plan.essayCombos[e]!)},`)),
    templateHash: plan.normTemplates.map((t) => utf8(`${t}|`)),
    templateRow: plan.templates.map((t) => utf8(`${csvField(t)},`)),
    llmHash: plan.normLlms.map((l) => utf8(`${l}|`)),
    llmRow: plan.llms.map((l) => utf8(`${csvField(l)},`)),
    ...plan.evaluations
  }
  const longest = (pieces: ReadonlyArray<Uint8Array>) => pieces.reduce((n, b) => Math.max(n, b.length), 0)
  const signature = longest(job.essayHash) + longest(job.templateHash) + longest(job.llmHash) + REPLICATE_DIGITS
  const row = longest(job.essayRow) + longest(job.templateRow) + longest(job.llmRow) + ROW_OVERHEAD
  return signature <= inputBytes && row <= FAST_ROW_BYTES ? job : undefined
}
