import { Effect, Exit, Queue, Stream, Take } from "effect"
import type { CohortDefinition } from "../domain/CohortDefinition.js"
import { streamMembership } from "../domain/MembershipGeneration.js"
import type { MembershipRows } from "../domain/MembershipRows.js"
import type { IdCollision } from "../errors/IdCollision.js"
import type { InvalidConstraint } from "../errors/InvalidConstraint.js"
import type { GenerationRegistry } from "../services/GenerationRegistry.js"

/** Batches in flight between the rows being made and the reader. */
const IN_FLIGHT = 2

/**
 * The membership of a definition as a stream of column batches (`MembershipRows`: drafts and essays
 * first, then evaluations, ≤ 65,536 rows a batch), each id from `registry`; a large membership is
 * never held whole. The batches add up to `generateMembership`'s rows.
 */
export const membershipStream = (
  definition: CohortDefinition,
  cohortId: string,
  registry: GenerationRegistry
): Stream.Stream<MembershipRows, InvalidConstraint | IdCollision> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const queue = yield* Queue.bounded<Take.Take<MembershipRows, InvalidConstraint | IdCollision>>(IN_FLIGHT)
    yield* streamMembership(
      definition,
      cohortId,
      registry,
      (batch) => Effect.asVoid(Queue.offer(queue, Take.of(batch)))
    )
      .pipe(
        Effect.exit,
        Effect.flatMap((exit) => Queue.offer(queue, Exit.isSuccess(exit) ? Take.end : Take.failCause(exit.cause))),
        Effect.forkScoped
      )
    return Stream.flattenTake(Stream.fromQueue(queue))
  }))
