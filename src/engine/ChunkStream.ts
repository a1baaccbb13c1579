import { Effect, Exit, Queue, Stream, Take } from "effect"
import type { ChunkProducer } from "../gens/AtomicFile.js"

/** Chunks (~1 MiB each) in flight between the rows being made and the reader. */
const IN_FLIGHT = 8

/**
 * What a chunk producer writes, as a stream of byte chunks made as the reader pulls them (at most
 * `IN_FLIGHT` ahead); the producer's failure ends the stream with it.
 */
export const chunkStream = <E, R>(produce: ChunkProducer<E, R>): Stream.Stream<Uint8Array, E, R> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const queue = yield* Queue.bounded<Take.Take<Uint8Array, E>>(IN_FLIGHT)
    yield* produce((chunk) =>
      Effect.asVoid(Queue.offer(queue, Take.of(typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk)))
    ).pipe(
      Effect.exit,
      Effect.flatMap((exit) => Queue.offer(queue, Exit.isSuccess(exit) ? Take.end : Take.failCause(exit.cause))),
      Effect.forkScoped
    )
    return Stream.flattenTake(Stream.fromQueue(queue))
  }))
