import { describe, expect, it } from "@effect/vitest"
import { FastCheck } from "effect"
import { compareCodePoints, pyIntOfText, pyStrip, sortedUnique } from "../../src/domain/PythonText.js"

// Every code unit Python's str.isspace() accepts, and neighbours it does not.
const SPACES = "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2005\u200a\u2028\u2029\u202f\u205f\u3000"
const NOT_SPACES = "\x00\x08\x0e\x1b!\x84\x86\u00a1\u1681\u200b\u202e\u3001\ufeffaZ"

describe("pyStrip", () => {
  it("strips exactly what Python's str.strip() strips, at both ends only", () => {
    const units = FastCheck.constantFrom(...SPACES, ...NOT_SPACES)
    FastCheck.assert(
      FastCheck.property(FastCheck.array(units, { maxLength: 8 }), (chars) => {
        const text = chars.join("")
        let start = 0
        let end = text.length
        while (start < end && SPACES.includes(text[start]!)) start++
        while (end > start && SPACES.includes(text[end - 1]!)) end--
        expect(pyStrip(text)).toBe(text.slice(start, end))
      }),
      { numRuns: 3000, seed: 1207 }
    )
  })
})

describe("compareCodePoints", () => {
  it("orders as Python's sorted(): astral characters after every BMP one, surrogates or not", () => {
    // sorted() of these texts, as Python 3.11 printed it.
    const python = [
      "",
      "A",
      "a",
      "za",
      "z\uffff",
      "z\ud800\udc00",
      "\u00e9",
      "\ud7ff",
      "\ue000",
      "\ufb01",
      "\uffff",
      "\ud83d\ude00",
      "\ud83d\ude00a",
      "\udbff\udfff"
    ]
    const shuffled = [...python].reverse()
    expect(sortedUnique(shuffled)).toEqual(python)
    expect([...python].sort(compareCodePoints)).toEqual(python)
  })

  it("agrees with comparing code point arrays, for any texts", () => {
    const byCodePoints = (a: string, b: string) => {
      const x = Array.from(a, (c) => c.codePointAt(0)!)
      const y = Array.from(b, (c) => c.codePointAt(0)!)
      for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!
      return x.length - y.length
    }
    const text = FastCheck.string({ unit: "grapheme-ascii" }).chain((ascii) =>
      FastCheck.array(FastCheck.constantFrom("\u00e9", "\ud7ff", "\ue000", "\uffff", "\u{1f600}", "\u{10000}", ascii), {
        maxLength: 4
      }).map((parts) => parts.join(""))
    )
    FastCheck.assert(
      FastCheck.property(text, text, (a, b) => {
        expect(Math.sign(compareCodePoints(a, b))).toBe(Math.sign(byCodePoints(a, b)))
      }),
      { numRuns: 2000, seed: 1208 }
    )
  })
})

describe("pyIntOfText", () => {
  it("reads what Python's int() reads, and nothing else", () => {
    // int(text) in Python 3.11 (null: ValueError).
    const python: Record<string, string | null> = {
      "\u0661": "1",
      " 3 ": "3",
      "1_0": "10",
      "+5": "5",
      "-12": "-12",
      "\u00b2": null,
      "\u0663\u0664": "34",
      "\ud835\udfd8\ud835\udfd9": "1",
      "1__0": null,
      "_1": null,
      "1_": null,
      "0x10": null,
      "1.0": null,
      "": null,
      " ": null,
      "\u00a012\u3000": "12",
      "\u0966\u096f": "9",
      "12345678901234567890123": "12345678901234567890123"
    }
    for (const [text, value] of Object.entries(python)) {
      expect(pyIntOfText(text)?.toString() ?? null, JSON.stringify(text)).toBe(value)
    }
  })
})
