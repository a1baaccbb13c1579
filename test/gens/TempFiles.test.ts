import { describe, expect, it } from "@effect/vitest"
import { isCallTag, parseTempName, tempName } from "../../src/gens/TempFiles.js"

describe("TempFiles", () => {
  it("names a temp file beside its target and reads the name back", () => {
    const name = tempName("membership.csv")
    expect(name).toMatch(new RegExp(`^\\.membership\\.csv\\.${process.pid}\\.[0-9a-f]{8}\\.tmp$`))
    const parsed = parseTempName(name)!
    expect(parsed).toMatchObject({ target: "membership.csv", pid: process.pid })
    expect(isCallTag(parsed.tag)).toBe(true)
    expect(parseTempName(tempName(".lock", "0badcafe"))).toEqual({ target: ".lock", pid: process.pid, tag: "0badcafe" })
  })

  it("reads metadata temp names, the sequence form and the older one, but not other files", () => {
    expect(parseTempName(".metadata.json.42.0badcafe-7.tmp")).toEqual({
      target: "metadata.json",
      pid: 42,
      tag: "0badcafe-7"
    })
    expect(parseTempName(".metadata.json.42.7.tmp")).toEqual({ target: "metadata.json", pid: 42, tag: "7" })
    expect(isCallTag("0badcafe-7")).toBe(false)
    expect(isCallTag("7")).toBe(false)
    for (
      const other of [
        "metadata.json",
        ".metadata.json.tmp",
        ".x.12.zzzzzzzz.tmp",
        ".x.pid.0badcafe.tmp",
        ".x.1.0badcafe"
      ]
    ) {
      expect(parseTempName(other)).toBeUndefined()
    }
  })
})
