import { describe, expect, it } from "@effect/vitest"
import { PyFloat, pyStr, type SpecValue, valueKey } from "../../src/index.js"
import { parseJson, parseYaml, SyntaxProblem } from "../../src/spec/PyYaml.js"

const values = (yaml: string) => (parseYaml(`v: [${yaml}]`) as { v: Array<unknown> }).v

describe("YAML read as PyYAML's safe_load types it", () => {
  it("booleans are yes/no/on/off/true/false but not y/n", () => {
    expect(values("yes, No, on, OFF, true, y, n, Y")).toEqual([true, false, true, false, true, "y", "n", "Y"])
  })

  it("floats need a dot (1e3 is a string) and print as Python prints them", () => {
    const [a, b, c, d, e] = values("1.0, 1e3, 1.0e+3, .5, 1e+3")
    expect(a).toBeInstanceOf(PyFloat)
    expect(pyStr(a as PyFloat)).toBe("1.0")
    expect(b).toBe("1e3")
    expect(pyStr(c as PyFloat)).toBe("1000.0")
    expect(pyStr(d as PyFloat)).toBe("0.5")
    expect(e).toBe("1e+3")
  })

  it("integers: octal 017, hex, binary, sexagesimal, underscores, and exact beyond 2^53", () => {
    expect(values("017, 0x1F, 0b101, 1:30, 1_000, 12345678901234567890")).toEqual([15, 31, 5, 90, 1000, 12345678901234567890n])
    expect(pyStr(values("12345678901234567890")[0] as bigint)).toBe("12345678901234567890")
  })

  it("1, '1' and 1.0 keep Python's equality: 1 == 1.0 != '1'", () => {
    const [one, quoted, float] = values("1, '1', 1.0")
    expect(valueKey(one as number)).toBe(valueKey(float as PyFloat))
    expect(valueKey(one as number)).not.toBe(valueKey(quoted as string))
  })

  it("null forms and timestamps (as Python's date, printed by str())", () => {
    const [a, b, date] = values("~, null, 2025-09-10")
    expect([a, b]).toEqual([null, null])
    expect(pyStr(date as SpecValue)).toBe("2025-09-10")
    expect(valueKey(date as SpecValue)).not.toBe(valueKey("2025-09-10"))
  })

  it("refuses duplicate keys, plain-number keys, unknown tags and alias bombs", () => {
    expect(parseYaml("a: 1\na: 2\n")).toBeInstanceOf(SyntaxProblem)
    expect(parseYaml("axes:\n  1: [x]\n")).toBeInstanceOf(SyntaxProblem)
    expect(parseYaml("a: !!python/object:os.system x\n")).toBeInstanceOf(SyntaxProblem)
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(", ")}]`)
    const bomb = parseYaml(levels.join("\n") + "\n")
    expect(bomb).toBeInstanceOf(SyntaxProblem)
    expect((bomb as SyntaxProblem).reason).toContain("alias")
  })

  it("JSON: integers stay int, fractions and exponents are floats", () => {
    const data = parseJson("{\"a\": [1, 1.0, 1e3, 12345678901234567890]}") as { a: Array<unknown> }
    expect(data.a[0]).toBe(1)
    expect(pyStr(data.a[1] as PyFloat)).toBe("1.0")
    expect(pyStr(data.a[2] as PyFloat)).toBe("1000.0")
    expect(data.a[3]).toBe(12345678901234567890n)
    expect(parseJson("{\"a\": [1,}")).toBeInstanceOf(SyntaxProblem)
  })
})
