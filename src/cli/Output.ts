import type { FileSystem, Path } from "@effect/platform"
import { Effect } from "effect"
import type { CohortDefinition, Design } from "../domain/CohortDefinition.js"
import { MEMBERSHIP_COLUMNS } from "../domain/MembershipColumns.js"
import { type GenIdHasher, writeIdBytes } from "../domain/GenId.js"
import { type PureEvaluations, streamMembership } from "../domain/MembershipGeneration.js"
import type { MembershipRows } from "../domain/MembershipRows.js"
import type { ArtifactWriteFailed } from "../errors/ArtifactWriteFailed.js"
import type { IdCollision } from "../errors/IdCollision.js"
import type { InvalidConstraint } from "../errors/InvalidConstraint.js"
import type { GenerationRegistry } from "../services/GenerationRegistry.js"
import { type ChunkSource, writeAtomically } from "../layers/AtomicFile.js"
import { ChunkBuffer } from "../layers/ChunkBuffer.js"
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
  /** Evaluation rows with pure ids made by the encoder itself (CSV only); `undefined` when it cannot. */
  readonly addPureEvaluations?: (cohortId: string, plan: PureEvaluations, hasher: GenIdHasher) => Array<Uint8Array> | undefined
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
 * the next is made. `registry` must hand out pure ids (`hasher`'s) for the CSV fast path to be right.
 */
export const membershipSource = (
  format: RowFormat,
  definition: CohortDefinition,
  cohortId: string,
  registry: GenerationRegistry,
  hasher: GenIdHasher
): ChunkSource<InvalidConstraint | IdCollision | ArtifactWriteFailed> =>
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
        Effect.suspend(() => {
          const chunks = encoder.addPureEvaluations?.(cohortId, evaluations, hasher)
          return chunks === undefined ? Effect.succeed(false) : Effect.as(writeAll(chunks), true)
        })
    )
    yield* writeAll(encoder.end())
  })

const CSV_CHUNK_BYTES = 1 << 20
/** A row up to this size is copied byte by byte; a longer one is encoded as one line. */
const FAST_ROW_BYTES = 1024
const COMMA = 0x2c
const NEWLINE = 0x0a

/** Copies `bytes` into `out` at `pos`; returns the end. */
const copyInto = (out: Uint8Array, pos: number, bytes: Uint8Array): number => {
  out.set(bytes, pos)
  return pos + bytes.length
}

/**
 * Membership CSV without a string per row: the few distinct texts (stages, combos, templates, LLMs,
 * parents, replicates) are encoded once each and copied; ids are copied char by char when plain ASCII.
 * Rows come in batches (`add`); full ~1 MiB chunks are handed out by `add` and the rest by `end`.
 */
export class MembershipCsvEncoder implements MembershipEncoder {
  private readonly encoded = new Map<string, Uint8Array>()
  private readonly replicates: Array<Uint8Array> = []
  private buffer = Buffer.allocUnsafe(CSV_CHUNK_BYTES)
  private pos = 0
  private chunks: Array<Uint8Array> = []

  constructor() {
    this.copy(Buffer.from(`${MEMBERSHIP_COLUMNS.join(",")}\n`, "latin1"))
  }

  private bytesOf(text: string): Uint8Array {
    let bytes = this.encoded.get(text)
    if (bytes === undefined) {
      bytes = Buffer.from(csvField(text), "utf8")
      this.encoded.set(text, bytes)
    }
    return bytes
  }

  private copy(bytes: Uint8Array): void {
    this.pos = copyInto(this.buffer, this.pos, bytes)
  }

  private replicateBytes(n: number): Uint8Array {
    return this.replicates[n] ??= Buffer.from(String(n), "latin1")
  }

  /** Copies a plain id (ASCII, nothing CSV must quote); false when it is not one. */
  private copyPlain(text: string): boolean {
    const buffer = this.buffer
    const pos = this.pos
    for (let k = 0; k < text.length; k++) {
      const c = text.charCodeAt(k)
      if (c >= 0x80 || c === COMMA || c === 0x22 || c === NEWLINE || c === 0x0d) return false
      buffer[pos + k] = c
    }
    this.pos = pos + text.length
    return true
  }

  private flush(): void {
    if (this.pos > 0) this.chunks.push(this.buffer.subarray(0, this.pos))
    this.buffer = Buffer.allocUnsafe(CSV_CHUNK_BYTES)
    this.pos = 0
  }

  /** Encodes a batch of rows; returns the chunks filled so far. */
  readonly add = (rows: MembershipRows): Array<Uint8Array> => {
    const origin = this.bytesOf(rows.cohortId)
    const n = rows.genId.length
    for (let i = 0; i < n; i++) {
      if (this.pos + FAST_ROW_BYTES > this.buffer.length) this.flush()
      const id = rows.genId[i]!
      const parent = rows.parentGenId[i]!
      const combo = this.bytesOf(rows.comboId[i]!)
      const template = this.bytesOf(rows.templateId[i]!)
      const llm = this.bytesOf(rows.llmModelId[i]!)
      const rowStart = this.pos
      const fits = id.length + parent.length + combo.length + template.length + llm.length + origin.length <
        FAST_ROW_BYTES - 40
      if (fits) {
        this.copy(this.bytesOf(rows.stage[i]!))
        this.buffer[this.pos++] = COMMA
        if (this.copyPlain(id)) {
          this.buffer[this.pos++] = COMMA
          this.copy(origin)
          this.buffer[this.pos++] = COMMA
          if (this.copyPlain(parent)) {
            this.buffer[this.pos++] = COMMA
            this.copy(combo)
            this.buffer[this.pos++] = COMMA
            this.copy(template)
            this.buffer[this.pos++] = COMMA
            this.copy(llm)
            this.buffer[this.pos++] = COMMA
            this.copy(this.replicateBytes(rows.replicate[i]!))
            this.buffer[this.pos++] = NEWLINE
            continue
          }
        }
      }
      // A long or unusual row: encoded as one line (a chunk of its own when it does not fit).
      this.pos = rowStart
      const bytes = Buffer.from(
        `${csvField(rows.stage[i]!)},${csvField(id)},${csvField(rows.cohortId)},${csvField(parent)},` +
          `${csvField(rows.comboId[i]!)},${csvField(rows.templateId[i]!)},${csvField(rows.llmModelId[i]!)},` +
          `${rows.replicate[i]}\n`,
        "utf8"
      )
      if (this.pos + bytes.length <= this.buffer.length) this.copy(bytes)
      else {
        this.flush()
        this.chunks.push(bytes)
      }
    }
    return this.take()
  }

  /**
   * Evaluation rows with pure ids, made and encoded in one loop: each signature is assembled as bytes
   * in the hasher's input (per-essay, per-template and per-LLM pieces encoded once), and the id's digits
   * go straight into the output. Returns the chunks filled so far, or `undefined` (nothing written)
   * when some piece is too long for this path.
   */
  readonly addPureEvaluations = (
    cohortId: string,
    plan: PureEvaluations,
    hasher: GenIdHasher
  ): Array<Uint8Array> | undefined => {
    const utf8 = (text: string) => Buffer.from(text, "utf8")
    const origin = csvField(cohortId)
    const essayHash = plan.normEssayIds.map((id) => utf8(`${id}|`))
    const essayRow = plan.essayIds.map((id, e) => utf8(`,${origin},${csvField(id)},${csvField(plan.essayCombos[e]!)},`))
    const templateHash = plan.normTemplates.map((t) => utf8(`${t}|`))
    const templateRow = plan.templates.map((t) => utf8(`${csvField(t)},`))
    const llmHash = plan.normLlms.map((l) => utf8(`${l}|`))
    const llmRow = plan.llms.map((l) => utf8(`${csvField(l)},`))
    const longest = (pieces: ReadonlyArray<Uint8Array>) => pieces.reduce((n, b) => Math.max(n, b.length), 0)
    const REPLICATE_DIGITS = 16
    if (
      longest(essayHash) + longest(templateHash) + longest(llmHash) + REPLICATE_DIGITS > hasher.input.length ||
      longest(essayRow) + longest(templateRow) + longest(llmRow) + 64 > FAST_ROW_BYTES
    ) return undefined
    const stage = Buffer.from("evaluation,", "latin1")
    const input = hasher.input
    const { llm, parent, replicate, size, template } = plan.evaluations
    let lastEssay = -1
    for (let i = 0; i < size; i++) {
      if (this.pos + FAST_ROW_BYTES > this.buffer.length) this.flush()
      const e = parent[i]!
      const t = template[i]!
      const l = llm[i]!
      const rep = this.replicateBytes(replicate[i]!)
      // Consecutive evaluations mostly share their essay: its bytes are then already in place.
      if (e !== lastEssay) {
        copyInto(input, 0, essayHash[e]!)
        lastEssay = e
      }
      let n = copyInto(input, essayHash[e]!.length, templateHash[t]!)
      n = copyInto(input, n, llmHash[l]!)
      n = copyInto(input, n, rep)
      const digest = hasher.digestOf(n)
      let pos = copyInto(this.buffer, this.pos, stage)
      pos = writeIdBytes("evaluation", digest, this.buffer, pos)
      pos = copyInto(this.buffer, pos, essayRow[e]!)
      pos = copyInto(this.buffer, pos, templateRow[t]!)
      pos = copyInto(this.buffer, pos, llmRow[l]!)
      pos = copyInto(this.buffer, pos, rep)
      this.buffer[pos++] = NEWLINE
      this.pos = pos
    }
    return this.take()
  }

  /** The last chunks. */
  readonly end = (): Array<Uint8Array> => {
    this.flush()
    return this.take()
  }

  private take(): Array<Uint8Array> {
    const out = this.chunks
    this.chunks = []
    return out
  }
}

const writeStdout = (chunk: string | Uint8Array): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    if (process.stdout.write(chunk)) resume(Effect.void)
    else process.stdout.once("drain", () => resume(Effect.void))
  })

/** Writes chunks (or what a producer writes) to `out` atomically, or to stdout when there is no `out`. */
export const emit = <E = never, R = never>(
  source: ChunkSource<E, R>,
  out: string | undefined
): Effect.Effect<void, ArtifactWriteFailed | E, FileSystem.FileSystem | Path.Path | R> =>
  out === undefined
    ? typeof source === "function"
      ? source(writeStdout)
      : Effect.gen(function*() {
        for (const chunk of source) yield* writeStdout(chunk)
      })
    : writeAtomically(out, source, { sync: false })

/** `--format`, else the `--out` extension (`.jsonl` → jsonl), else CSV. */
export const formatFor = (format: RowFormat | undefined, out: string | undefined): RowFormat =>
  format ?? (out !== undefined && out.toLowerCase().endsWith(".jsonl") ? "jsonl" : "csv")
