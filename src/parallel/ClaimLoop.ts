// The one claim loop of work shared between threads: every thread (the main one and the pool's workers)
// claims ranges of items from one shared counter, so none waits for another's share. Effect-free: worker
// threads run it too.

/** How far a thread got with claimed items: how many it did, and whether any remain. */
export interface Progress {
  readonly done: number
  readonly more: boolean
}

/** A counter of claimed items in shared memory (every thread adds to it with `Atomics.add`). */
export const sharedCounter = (): Int32Array => new Int32Array(new SharedArrayBuffer(4))

/** A counter value past any item: stored on a failure or an interruption, it stops every thread. */
const STOPPED = 1 << 30

/** Stops every thread claiming from `next`: claims after this find nothing. */
export const stopClaims = (next: Int32Array): void => {
  Atomics.store(next, 0, STOPPED)
}

/** Whether `stopClaims` was called (a thread in the middle of a range checks it between items). */
export const claimsStopped = (next: Int32Array): boolean => Atomics.load(next, 0) >= STOPPED

/**
 * Claims ranges of `claim` items of `size` from `next` until none is left or about `budget` are done.
 * `run(start, end)` does the items [start, end) and says how many it did: fewer than the range ends the
 * loop (a failure, or `stopClaims` seen between items).
 */
export const claimRanges = (
  next: Int32Array,
  size: number,
  claim: number,
  run: (start: number, end: number) => number,
  budget = Infinity
): Progress => {
  let done = 0
  while (done < budget) {
    const start = Atomics.add(next, 0, claim)
    if (start >= size) return { done, more: false }
    const end = Math.min(size, start + claim)
    const did = run(start, end)
    done += did
    if (did < end - start) return { done, more: false }
  }
  return { done, more: Atomics.load(next, 0) < size }
}
