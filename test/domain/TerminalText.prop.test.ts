import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import {
  cut,
  cutLong,
  cutTo,
  echoed,
  MAX_LISTED_CHARS,
  MAX_LONG_CHARS,
  startWithin
} from "../../src/domain/TerminalText.js"

/** The positions of the lone surrogates of `text` (a half of a pair without its other half). */
const loneSurrogates = (text: string): Array<number> => {
  const found: Array<number> = []
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) i++
      else found.push(i)
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      found.push(i)
    }
  }
  return found
}

/** Any string: whole code points (many outside the BMP, so made of pairs), and lone halves of pairs. */
const anyText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: fc.constantFrom("a", "😀", "\ud83d", "\ude00", "é", "\u{10ffff}"), maxLength: 40 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)), maxLength: 40 })
)

/** The kept start of a cut text, and how many characters it says were left out. */
const parts = (result: string) => {
  const match = /… \((\d+) more characters\)$/.exec(result)
  return match === null ? { kept: result, more: 0 } : { kept: result.slice(0, match.index), more: Number(match[1]) }
}

describe("cutting a value for a message", () => {
  it("never splits a surrogate pair: no lone surrogate the input did not have, within the bound", () => {
    fc.assert(
      fc.property(anyText, fc.integer({ min: 0, max: 45 }), (text, max) => {
        const result = cutTo(text, max)
        if (text.length <= max) {
          expect(result).toBe(text)
          return
        }
        const { kept, more } = parts(result)
        expect(text.startsWith(kept)).toBe(true)
        expect(kept.length).toBeLessThanOrEqual(max)
        // At most the one unit of a pair that would have been split is left out beyond the bound.
        expect(kept.length).toBeGreaterThanOrEqual(max - 1)
        expect(more).toBe(text.length - kept.length)
        const lone = new Set(loneSurrogates(text))
        expect(loneSurrogates(kept).filter((i) => !lone.has(i))).toEqual([])
        expect(loneSurrogates(result).filter((i) => !lone.has(i))).toEqual([])
      }),
      { numRuns: 2000 }
    )
  })

  it("the start kept by the ad hoc cuts (startWithin) never ends in half a pair either", () => {
    fc.assert(
      fc.property(anyText, fc.integer({ min: 0, max: 45 }), (text, max) => {
        const start = startWithin(text, max)
        expect(text.startsWith(start)).toBe(true)
        if (text.length <= max) expect(start).toBe(text)
        else expect([max - 1, max]).toContain(start.length)
        const lone = new Set(loneSurrogates(text))
        expect(loneSurrogates(start).filter((i) => !lone.has(i))).toEqual([])
      }),
      { numRuns: 2000 }
    )
  })

  it("a pair at the bound is kept out whole", () => {
    const text = `${"a".repeat(MAX_LISTED_CHARS - 1)}😀b`
    expect(cut(text)).toBe(`${"a".repeat(MAX_LISTED_CHARS - 1)}… (3 more characters)`)
    expect(loneSurrogates(echoed(text))).toEqual([])
    expect(loneSurrogates(cutLong(`${"😀".repeat(MAX_LONG_CHARS)}`))).toEqual([])
  })
})
