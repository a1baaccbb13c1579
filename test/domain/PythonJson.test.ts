import { describe, expect, it } from "@effect/vitest"
import { PyJsonError, pyJsonLoads, pyJsonStr, readMetadataJson } from "../../src/domain/PythonJson.js"
import { pyIntOfText } from "../../src/domain/PythonText.js"

// Expected texts are Python 3.11's: {k: str(v) for k, v in json.loads(TEXT).items()}.
const TEXT =
  "{\"a\": 9007199254740993, \"b\": 1.0, \"c\": 1E16, \"d\": [1, \"x\", true, null], \"e\": {\"k\": 2.50}, " +
  "\"f\": NaN, \"g\": -0.0, \"h\": 12345678901234567890123, \"a\": 3}"
const PYTHON_STR = {
  a: "3",
  b: "1.0",
  c: "1e+16",
  d: "[1, 'x', True, None]",
  e: "{'k': 2.5}",
  f: "nan",
  g: "-0.0",
  h: "12345678901234567890123"
}

describe("JSON read as Python's json.loads reads it", () => {
  it("keeps integers exact, floats as floats, reads NaN, keeps the last repeated key", () => {
    const value = pyJsonLoads(TEXT)
    expect(value).not.toBeInstanceOf(PyJsonError)
    const strs = Object.fromEntries(Object.entries(value as Record<string, never>).map(([k, v]) => [k, pyJsonStr(v)]))
    expect(strs).toEqual(PYTHON_STR)
  })

  it("refuses what json.loads refuses", () => {
    for (const bad of ["", "{", "[1,]", "{\"a\" 1}", "01", "\ufeff{}", "{\"a\": 1} x", "\"a\u0001\"", "nan"]) {
      expect(pyJsonLoads(bad)).toBeInstanceOf(PyJsonError)
    }
  })

  it("metadata takes the exact reader only where JSON.parse would print or round differently", () => {
    const plain = "{\"template_id\": \"t\", \"replicate\": 2}"
    expect(readMetadataJson(plain)).toEqual({ template_id: "t", replicate: 2 })
    const big = readMetadataJson("{\"template_id\": \"t\", \"replicate\": 9007199254740993}") as Record<string, unknown>
    expect(big["replicate"]).toBe(9007199254740993n)
    // A neighbour JSON.parse keeps exactly stays a number.
    expect((readMetadataJson("{\"replicate\": 9007199254740991}") as Record<string, unknown>)["replicate"]).toBe(
      9007199254740991
    )
    const float = readMetadataJson("{\"template_id\": 1.0, \"replicate\": 1}") as Record<string, never>
    expect(pyJsonStr(float["template_id"])).toBe("1.0")
    expect(readMetadataJson("{\"replicate\": NaN}")).not.toBeInstanceOf(PyJsonError)
  })
})

describe("a replicate written as a float in metadata", () => {
  const replicateStr = (text: string) => pyJsonStr((readMetadataJson(text) as Record<string, never>)["replicate"])

  it("is a float whichever reader the rest of the file picks (json.loads: str(2.0) is \"2.0\")", () => {
    // All texts: JSON.parse would serve it. A number where a text belongs: the exact reader.
    expect(replicateStr("{\"template_id\": \"t\", \"replicate\": 2.0}")).toBe("2.0")
    expect(replicateStr("{\"template_id\": 7, \"replicate\": 2.0}")).toBe("2.0")
    expect(replicateStr("{\"template_id\": \"t\", \"replicate\"  :  2e0}")).toBe("2.0")
    expect(replicateStr("{\"replicate\": 2.50, \"llm_model_id\": \"m\"}")).toBe("2.5")
    // A nested or repeated key written as a float is a doubt: the exact reader decides (the last key wins).
    expect(replicateStr("{\"replicate\": 1.0, \"replicate\": 3}")).toBe("3")
    expect(replicateStr("{\"x\": {\"replicate\": 1.0}, \"replicate\": 3}")).toBe("3")
  })

  it("an integer literal stays a plain number on the fast path", () => {
    expect(readMetadataJson("{\"template_id\": \"t\", \"replicate\": 2}")).toEqual({ template_id: "t", replicate: 2 })
    expect(readMetadataJson("{\"replicate\" : -4 }")).toEqual({ replicate: -4 })
    // The key escaped: not found by the scan, so read exactly (same value).
    expect(replicateStr("{\"replic\\u0061te\": 2.0}")).toBe("2.0")
    expect(replicateStr("{\"replic\\u0061te\": 2}")).toBe("2")
  })
})

describe("Python's int() of a text", () => {
  it("reads up to 4300 digits and raises beyond (Python 3.11's int_max_str_digits)", () => {
    expect(pyIntOfText("1".repeat(4300))).toBe(BigInt("1".repeat(4300)))
    expect(pyIntOfText("1".repeat(4301))).toBeUndefined()
    // Underscores and the sign are no digits: 4300 digits with underscores between them are read.
    expect(pyIntOfText(`-${"1_".repeat(4299)}1`)).toBe(-BigInt("1".repeat(4300)))
    expect(pyIntOfText(`${"1_".repeat(4300)}1`)).toBeUndefined()
  })
})
