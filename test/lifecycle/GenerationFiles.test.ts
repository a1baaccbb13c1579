import { describe, expect, it } from "@effect/vitest"
import { metadataReplicate, metadataText, replicateOfText } from "../../src/domain/GenerationMetadata.js"
import { readMetadataJson } from "../../src/domain/PythonJson.js"

describe("a replicate read back from metadata (status, diff, reuse)", () => {
  it("keeps every digit beyond 2^53, as the original's int() does", () => {
    const metadata = readMetadataJson(`{"replicate": 9007199254740993}`) as Record<string, unknown>
    const text = metadataText(metadata, "replicate")
    expect(text).toBe("9007199254740993")
    expect(replicateOfText(text)).toBe(9007199254740993n)
  })

  it("is a number up to 2^31 - 1, 1 when absent, and nothing for what is not a whole number >= 1", () => {
    expect(replicateOfText("2147483647")).toBe(2147483647)
    expect(replicateOfText("2147483648")).toBe(2147483648n)
    expect(replicateOfText("")).toBe(1)
    expect(replicateOfText("0")).toBeUndefined()
    expect(replicateOfText("1.5")).toBeUndefined()
    expect(replicateOfText("two")).toBeUndefined()
  })
})

describe("a generation's replicate as the original reads it from metadata (int() of it)", () => {
  const of = (text: string) => metadataReplicate(readMetadataJson(text) as Record<string, unknown>)

  it("a float 2.0 is 2 whether the file is read by JSON.parse or exactly", () => {
    expect(of(`{"template_id": "t", "replicate": 2.0}`)).toBe(2)
    expect(of(`{"template_id": 7, "replicate": 2.0}`)).toBe(2)
    // Neighbours: int() truncates a fraction; a bool is an int; a digit text is int() of it.
    expect(of(`{"replicate": 2.9}`)).toBe(2)
    expect(of(`{"replicate": true}`)).toBe(1)
    expect(of(`{"replicate": " 3 "}`)).toBe(3)
    expect(of(`{"template_id": "t"}`)).toBe(1)
    expect(metadataReplicate(undefined)).toBe(1)
  })

  it("gives nothing for what is no whole number >= 1 (a text \"2.0\", zero, NaN)", () => {
    expect(of(`{"replicate": "2.0"}`)).toBeUndefined()
    expect(of(`{"replicate": 0.5}`)).toBeUndefined()
    expect(of(`{"replicate": NaN}`)).toBeUndefined()
    expect(of(`{"replicate": -1}`)).toBeUndefined()
  })
})
