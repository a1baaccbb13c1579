import { describe, expect, it } from "@effect/vitest"
import { FastCheck } from "effect"
import { pyStrip } from "../../src/domain/PythonText.js"

// Every code unit Python's str.isspace() accepts, and neighbours it does not.
const SPACES = "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2005\u200a\u2028\u2029\u202f\u205f\u3000"
const NOT_SPACES = "\x00\x08\x0e\x1b!\x84\x86\u00a1\u1681\u200b\u202e\u3001\ufeffaZ"

describe("pyStrip", () => {
  it("strips exactly what Python's str.strip() strips, at both ends only", () => {
    const units = FastCheck.constantFrom(...SPACES, ...NOT_SPACES)
    FastCheck.assert(FastCheck.property(FastCheck.array(units, { maxLength: 8 }), (chars) => {
      const text = chars.join("")
      let start = 0
      let end = text.length
      while (start < end && SPACES.includes(text[start]!)) start++
      while (end > start && SPACES.includes(text[end - 1]!)) end--
      expect(pyStrip(text)).toBe(text.slice(start, end))
    }), { numRuns: 3000 })
  })
})
