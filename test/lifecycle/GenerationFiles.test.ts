import { describe, expect, it } from "@effect/vitest"
import { readMetadataJson } from "../../src/domain/PythonJson.js"
import { metadataText, replicateOfText } from "../../src/lifecycle/GenerationFiles.js"

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
