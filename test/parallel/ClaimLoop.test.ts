import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { claimRanges, sharedCounter, stopClaims } from "../../src/parallel/ClaimLoop.js"

/**
 * The claim loop (threads sharing items through one counter) against the plain loop over every item:
 * however the claimants interleave and whatever their budgets, each item is done exactly once. Seeds are
 * fixed so a failure replays.
 */

describe("claimRanges", () => {
  it.prop("claimants taking turns with any budgets do every item exactly once", [
    fc.integer({ min: 0, max: 2000 }),
    fc.integer({ min: 1, max: 300 }),
    fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 4 })
  ], ([size, claim, budgets]) => {
    const next = sharedCounter()
    const times = new Uint8Array(size)
    const run = (start: number, end: number) => {
      for (let i = start; i < end; i++) times[i]!++
      return end - start
    }
    let done = 0
    for (let turn = 0, more = true; more; turn++) {
      const step = claimRanges(next, size, claim, run, budgets[turn % budgets.length]!)
      done += step.done
      more = step.more
    }
    expect(done).toBe(size)
    expect(Array.from(times).every((t) => t === 1)).toBe(true)
  }, { fastCheck: { numRuns: 200, seed: 2202 } })

  it.prop("after stopClaims nothing more is claimed", [fc.integer({ min: 1, max: 500 })], ([size]) => {
    const next = sharedCounter()
    stopClaims(next)
    expect(claimRanges(next, size, 16, () => 16)).toEqual({ done: 0, more: false })
  }, { fastCheck: { numRuns: 20, seed: 2203 } })
})
