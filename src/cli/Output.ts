import type { FileSystem, Path } from "@effect/platform"
import { Effect, Option } from "effect"
import type { CohortDefinition, Design } from "../domain/CohortDefinition.js"
import { MEMBERSHIP_COLUMNS } from "../domain/MembershipColumns.js"
import type { GenIdHasher } from "../domain/GenId.js"
import { type PureEvaluations, streamMembership } from "../domain/MembershipGeneration.js"
import type { MembershipRows } from "../domain/MembershipRows.js"
import { ArtifactWriteFailed } from "../errors/ArtifactWriteFailed.js"
import type { IdCollision } from "../errors/IdCollision.js"
import type { InvalidConstraint } from "../errors/InvalidConstraint.js"
import type { GenerationRegistry } from "../services/GenerationRegistry.js"
import { type ChunkProducer, type ChunkSource, writeOutput } from "../layers/AtomicFile.js"
import { ChunkBuffer } from "../layers/ChunkBuffer.js"
import {
  encodeClaimed,
  encodeEvaluationRows,
  type EvaluationRowsJob,
  REPLICATE_DIGITS,
  ROW_OVERHEAD
} from "./EvaluationRows.js"
import type { EvaluationWorker } from "./EvaluationWorkerPool.js"
import { csvField, csvLine, jsonLine } from "./RowFormat.js"

export type RowFormat = "csv" | "jsonl"

const ROWS_PER_CHUNK = 20_000
/** Design rows as byte chunks: a header then rows (CSV), or one JSON object per row. */
export function* designChunks(design: Design, format: RowFormat): Generator<Uint8Array> {
  const out = new ChunkBuffer()
  if (format === "csv") out.line(csvLine(design.columns))
  for (let from = 0; from < design.size; from += ROWS_PER_CHUNK) {
    design.forEachRow((row) => {
      out.line(format === "csv" ? csvLine(row) : jsonLine(design.columns, row))
    }, { from, to: from + ROWS_PER_CHUNK })
    yield* out.take()
  }
  out.flush()
  yield* out.take()
}

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
    worker: Option.Option<EvaluationWorker>
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

/**
 * The membership of a definition as a chunk source, streamed: each batch is encoded and written before
 * the next is made. The CSV fast path (ids made from the signatures with `hasher`) is taken only when
 * `registry.pureIds` says its ids are those; any other registry is asked for every id.
 */
export const membershipSource = (
  format: RowFormat,
  definition: CohortDefinition,
  cohortId: string,
  registry: GenerationRegistry,
  hasher: GenIdHasher,
  worker: Option.Option<EvaluationWorker> = Option.none()
): ChunkProducer<InvalidConstraint | IdCollision | ArtifactWriteFailed> =>
(write) =>
  Effect.gen(function*() {
    const encoder = membershipEncoder(format)
    const writeAll = (chunks: ReadonlyArray<Uint8Array>) => Effect.forEach(chunks, write, { discard: true })
    yield* streamMembership(
      definition,
      cohortId,
      registry,
      (batch) => writeAll(encoder.add(batch)),
      (evaluations) =>
        encoder.addPureEvaluations === undefined
          ? Effect.succeed(false)
          : Effect.flatMap(
            encoder.addPureEvaluations(cohortId, evaluations, hasher, worker),
            (chunks) => (chunks === undefined ? Effect.succeed(false) : Effect.as(writeAll(chunks), true))
          )
    )
    yield* writeAll(encoder.end())
  })

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
      const fits = id.length + parent.length + combo.length + template.length + llm.length + origin.length <
        FAST_ROW_BYTES - 40
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
            out.copy(this.replicates[rows.replicate[i]!] ??= Buffer.from(String(rows.replicate[i]!), "latin1"))
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
    worker: Option.Option<EvaluationWorker>
  ): Effect.Effect<Array<Uint8Array> | undefined> =>
    Effect.suspend(() => {
      const job = evaluationRowsJob(cohortId, plan, hasher.input.length)
      if (job === undefined) return Effect.succeed(undefined)
      const size = plan.evaluations.size
      const out = this.out
      if (Option.isNone(worker) || size < WORKER_MIN_ROWS) {
        encodeEvaluationRows(job, hasher, 0, size, out)
        return Effect.succeed(out.take())
      }
      // Both threads claim ranges of rows from a shared counter; the ranges are put back in order.
      const next = new Int32Array(new SharedArrayBuffer(4))
      return Effect.flatMap(worker.value.submit(job, next, size), (theirs) => {
        out.flush()
        const before = out.take()
        const ours = encodeClaimed(job, hasher, next, size)
        return Effect.map(theirs, (ranges) => [
          ...before,
          ...[...ours, ...ranges].sort((a, b) => a.start - b.start).flatMap((r) => r.chunks)
        ])
      })
    })

  /** The last chunks. */
  readonly end = (): Array<Uint8Array> => {
    this.out.flush()
    return this.out.take()
  }
}

/** The pieces of the evaluation rows, or `undefined` when one is too long for the fast path. */
const evaluationRowsJob = (cohortId: string, plan: PureEvaluations, inputBytes: number): EvaluationRowsJob | undefined => {
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

/** What a write to stdout fails with when its reader went away (`cohort plan … | head`). */
export const stdoutClosed = new ArtifactWriteFailed({ path: "<stdout>", cause: "the reader closed the pipe (EPIPE)" })

/** The output was no longer wanted: the command ends quietly, with success. */
export const isStdoutClosed = (u: unknown): boolean => u instanceof ArtifactWriteFailed && u.path === stdoutClosed.path

/**
 * Writes to stdout with backpressure. A closed pipe (EPIPE) fails the write with `stdoutClosed` instead
 * of crashing the process with an unhandled `error` event; any other stream error fails it too.
 */
const stdoutWriter = Effect.acquireRelease(
  Effect.sync(() => {
    let failure: ArtifactWriteFailed | undefined
    let waiting: (() => void) | undefined
    const onError = (error: NodeJS.ErrnoException) => {
      failure = error.code === "EPIPE" ? stdoutClosed : new ArtifactWriteFailed({ path: "<stdout>", cause: error.message })
      waiting?.()
    }
    process.stdout.on("error", onError)
    const failed = (): Effect.Effect<void, ArtifactWriteFailed> => Effect.fail(failure!)
    const write = (chunk: string | Uint8Array): Effect.Effect<void, ArtifactWriteFailed> =>
      failure !== undefined ? failed() : Effect.async<void, ArtifactWriteFailed>((resume) => {
        const done = () => {
          waiting = undefined
          process.stdout.off("drain", done)
          resume(failure === undefined ? Effect.void : failed())
        }
        if (process.stdout.write(chunk)) return resume(Effect.void)
        waiting = done
        process.stdout.once("drain", done)
      })
    return { write, onError }
  }),
  // The listener stays until the process ends: a write still buffered may fail after the command is done.
  ({ onError }) => Effect.sync(() => process.stdout.on("error", () => {}).off("error", onError))
)

/** Writes chunks (or what a producer writes) to `out` (`writeOutput`'s rule), or to stdout when there is no `out`. */
export const emit = <E = never, R = never>(
  source: ChunkSource<E, R>,
  out: string | undefined
): Effect.Effect<void, ArtifactWriteFailed | E, FileSystem.FileSystem | Path.Path | R> =>
  out === undefined
    ? Effect.scoped(Effect.gen(function*() {
      const { write } = yield* stdoutWriter
      if (typeof source === "function") return yield* source(write)
      for (const chunk of source) yield* write(chunk)
    }))
    : writeOutput(out, source)

/** `--format`, else the `--out` extension (`.jsonl` → jsonl), else CSV. */
export const formatFor = (format: RowFormat | undefined, out: string | undefined): RowFormat =>
  format ?? (out !== undefined && out.toLowerCase().endsWith(".jsonl") ? "jsonl" : "csv")
