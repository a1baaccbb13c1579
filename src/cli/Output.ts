import type { FileSystem, Path } from "@effect/platform"
import { Effect } from "effect"
import type { Design } from "../domain/CohortDefinition.js"
import { MEMBERSHIP_COLUMNS } from "../domain/MembershipColumns.js"
import type { MembershipRows } from "../domain/MembershipRows.js"
import type { ArtifactWriteFailed } from "../errors/ArtifactWriteFailed.js"
import { writeAtomically } from "../layers/AtomicFile.js"
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

/** Membership rows (MEMBERSHIP_COLUMNS) as byte chunks, built as they are consumed. */
export function* membershipChunks(rows: MembershipRows, format: RowFormat): Generator<Uint8Array> {
  const out = new ChunkBuffer()
  if (format === "csv") out.line(`${MEMBERSHIP_COLUMNS.join(",")}\n`)
  const origin = csvField(rows.cohortId)
  for (let start = 0; start < rows.genId.length; start += ROWS_PER_CHUNK) {
    const end = Math.min(rows.genId.length, start + ROWS_PER_CHUNK)
    for (let i = start; i < end; i++) {
      if (format === "csv") {
        out.line(
          `${rows.stage[i]},${rows.genId[i]},${origin},${rows.parentGenId[i]},${csvField(rows.comboId[i]!)},` +
            `${csvField(rows.templateId[i]!)},${csvField(rows.llmModelId[i]!)},${rows.replicate[i]}\n`
        )
      } else {
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
    }
    yield* out.take()
  }
  out.flush()
  yield* out.take()
}

const writeStdout = (chunk: Uint8Array): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    if (process.stdout.write(chunk)) resume(Effect.void)
    else process.stdout.once("drain", () => resume(Effect.void))
  })

/** Writes chunks to `out` atomically, or to stdout when there is no `out`. */
export const emit = (
  chunks: Iterable<Uint8Array>,
  out: string | undefined
): Effect.Effect<void, ArtifactWriteFailed, FileSystem.FileSystem | Path.Path> =>
  out === undefined
    ? Effect.gen(function*() {
      for (const chunk of chunks) yield* writeStdout(chunk)
    })
    : writeAtomically(out, chunks, { sync: false })

/** `--format`, else the `--out` extension (`.jsonl` → jsonl), else CSV. */
export const formatFor = (format: RowFormat | undefined, out: string | undefined): RowFormat =>
  format ?? (out !== undefined && out.toLowerCase().endsWith(".jsonl") ? "jsonl" : "csv")
