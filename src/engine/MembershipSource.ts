import { Effect } from "effect"
import type { CohortDefinition, Design } from "../domain/CohortDefinition.js"
import type { GenIdHasher } from "../domain/GenId.js"
import { streamMembership } from "../domain/MembershipGeneration.js"
import type { ArtifactWriteFailed } from "../errors/ArtifactWriteFailed.js"
import type { IdCollision } from "../errors/IdCollision.js"
import type { InvalidConstraint } from "../errors/InvalidConstraint.js"
import type { ChunkProducer } from "../gens/AtomicFile.js"
import { WorkerPool } from "../parallel/WorkerPool.js"
import type { GenerationRegistry } from "../services/GenerationRegistry.js"
import { ChunkBuffer } from "./ChunkBuffer.js"
import { membershipEncoder, type RowFormat } from "./MembershipEncoder.js"
import { csvLine, jsonLine } from "./RowFormat.js"

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

/**
 * The membership of a definition as a chunk source, streamed: each batch is encoded and written before
 * the next is made. The CSV fast path (ids made from the signatures with `hasher`) is taken only when
 * `registry.pureIds` says its ids are those; any other registry is asked for every id. With a
 * `WorkerPool` in the context, its workers make a share of many evaluation rows.
 *
 * The chunks are the writer's to keep, unless `reuseBuffers`: a writer that is done with a chunk once its
 * write completed (a file written with `writeOutput`, never a queue or stdout's stream buffer) lets the
 * evaluation rows be made in the same few buffers again and again (less memory, no garbage).
 */
export const membershipSource = (
  format: RowFormat,
  definition: CohortDefinition,
  cohortId: string,
  registry: GenerationRegistry,
  hasher: GenIdHasher,
  options: { readonly reuseBuffers?: boolean } = {}
): ChunkProducer<InvalidConstraint | IdCollision | ArtifactWriteFailed> =>
(write) =>
  Effect.gen(function*() {
    const encoder = membershipEncoder(format)
    const pool = yield* Effect.serviceOption(WorkerPool)
    const writeAll = (chunks: ReadonlyArray<Uint8Array>) => Effect.forEach(chunks, write, { discard: true })
    yield* streamMembership(
      definition,
      cohortId,
      registry,
      (batch) => writeAll(encoder.add(batch)),
      (evaluations) =>
        encoder.addPureEvaluations === undefined
          ? Effect.succeed(false)
          : encoder.addPureEvaluations(cohortId, evaluations, hasher, pool, write, options.reuseBuffers === true),
      (membership) =>
        encoder.addPureMembership === undefined
          ? Effect.succeed(false)
          : encoder.addPureMembership(cohortId, membership, hasher, pool, write, options.reuseBuffers === true)
    )
    yield* writeAll(encoder.end())
  })
