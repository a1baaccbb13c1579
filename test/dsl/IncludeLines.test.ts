import { describe, expect, it } from "@effect/vitest"
import { includeLine } from "../../src/dsl/IncludeLines.js"

describe("includeLine: the line of an include's n-th value", () => {
  it("CSV: data rows after the header, blank lines skipped, a quoted cell spanning lines counted from its start", () => {
    const csv = { ext: ".csv", text: "combo_id\nc1\n\nc2\nc3\n" }
    expect([0, 1, 2].map((i) => includeLine(csv, i))).toEqual([2, 4, 5])
    expect(includeLine({ ext: ".csv", text: "a,b\nx,1\n\"multi\nline\",2\ny,3\n" }, 1)).toBe(3)
    expect(includeLine({ ext: ".csv", text: "a,b\nx,1\n\"multi\nline\",2\ny,3\n" }, 2)).toBe(5)
    expect(includeLine(csv, 3)).toBeUndefined()
    expect(includeLine({ ext: ".csv", text: "a\n\"unclosed\n" }, 0)).toBeUndefined()
  })

  it("text: the n-th non-blank line (CRLF or LF), whitespace-only lines skipped as the reader does", () => {
    expect(includeLine({ ext: ".txt", text: "a\r\n\r\n  \r\nb\r\nc" }, 1)).toBe(4)
    expect(includeLine({ ext: ".txt", text: "\ufeffa\nb\n" }, 0)).toBe(1)
    expect(includeLine({ ext: ".txt", text: "a\n" }, 1)).toBeUndefined()
  })

  it("YAML and JSON: the line an item of the top-level list starts on", () => {
    expect(includeLine({ ext: ".yaml", text: "# judges\n- j1\n\n- j2\n" }, 1)).toBe(4)
    expect(includeLine({ ext: ".yml", text: "- [a, 1]\n- [b, 2]\n" }, 1)).toBe(2)
    expect(includeLine({ ext: ".json", text: "[\n  \"a\",\n  \"b\"\n]" }, 1)).toBe(3)
    expect(includeLine({ ext: ".json", text: "{\"a\": 1}" }, 0)).toBeUndefined()
    expect(includeLine({ ext: ".xlsx", text: "" }, 0)).toBeUndefined()
  })
})
