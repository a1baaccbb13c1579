import { describe, expect, it } from "@effect/vitest"
import { checkCohortId } from "../../src/domain/CohortId.js"
import { hasControlCharacter } from "../../src/domain/ControlCharacters.js"
import { csvHeaderNames } from "../../src/domain/CsvHeader.js"
import { genIdProblem } from "../../src/domain/GenId.js"
import { decodeUtf8 } from "../../src/domain/Utf8.js"

describe("text rules written once", () => {
  it("control characters are C0, DEL and C1, for cohort ids and gen ids alike", () => {
    for (const c of ["\u0000", "\u001b", "\u007f", "\u0085", "\u009f"]) {
      expect(hasControlCharacter(`a${c}b`)).toBe(true)
      expect(checkCohortId(`co${c}hort`)).toBeDefined()
      expect(genIdProblem(`d_${c}1`)).toMatch(/control characters/)
    }
    for (const ok of ["a b", "\u00a0", "é", "\u2028"]) expect(hasControlCharacter(ok)).toBe(false)
  })

  it("a CSV header needs a name per column, each once (stripped as Python does)", () => {
    expect(csvHeaderNames([" id ", "name"])).toEqual(["id", "name"])
    expect(csvHeaderNames(["id", " \t"])).toEqual({ _tag: "Blank", column: 2 })
    expect(csvHeaderNames(["id", "name", "id "])).toEqual({ _tag: "Duplicate", name: "id" })
  })

  it("UTF-8 is decoded strictly, a BOM dropped unless kept", () => {
    expect(decodeUtf8(Buffer.from("\ufeffé", "utf8"))).toBe("é")
    expect(decodeUtf8(Buffer.from("\ufeffé", "utf8"), true)).toBe("\ufeffé")
    expect(decodeUtf8(Uint8Array.of(0x61, 0xff))).toBeUndefined()
  })
})
