import { Effect, Exit, Queue, Stream, Take } from "effect"
import type { CohortDefinition } from "../domain/CohortDefinition.js"
import type { GenIdHasher } from "../domain/GenId.js"
import type { GenerationRegistry } from "../services/GenerationRegistry.js"
import { membershipSource } from "../cli/Output.js"

/** Chunks (~1 MiB each) in flight between the rows being made and the response being sent. */
const IN_FLIGHT = 8

/**
 * The membership CSV of a definition as a stream of byte chunks, made as the client reads them (the
 * same encoder as `cohort plan`). The registry decides whether the fast path may
 * make its ids (`pureIds`).
 */
export const membershipCsv = (
  definition: CohortDefinition,
  cohortId: string,
  registry: GenerationRegistry,
  hasher: GenIdHasher
) =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const produce = membershipSource("csv", definition, cohortId, registry, hasher)
    type E = Effect.Effect.Error<ReturnType<typeof produce>>
    const queue = yield* Queue.bounded<Take.Take<Uint8Array, E>>(IN_FLIGHT)
    yield* produce((chunk) =>
      Queue.offer(queue, Take.of(typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk))
    ).pipe(
      Effect.exit,
      Effect.flatMap((exit) => Queue.offer(queue, Exit.isSuccess(exit) ? Take.end : Take.failCause(exit.cause))),
      Effect.forkScoped
    )
    return Stream.flattenTake(Stream.fromQueue(queue))
  }))
