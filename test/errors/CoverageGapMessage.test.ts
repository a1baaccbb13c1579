import { describe, expect, it } from "@effect/vitest"
import { MAX_LISTED_CHARS } from "../../src/domain/TerminalText.js"
import { CoverageGap } from "../../src/errors/CoverageGap.js"

/** What a CoverageGap's sentence echoes of the spec (values, keys, include files) is bounded. */
describe("CoverageGap's message", () => {
  it("a missing value named like an Object.prototype member has no place unless the spec gave it one", () => {
    const gap = new CoverageGap({
      field: "essay_template",
      missing: ["constructor", "toString", "v11"],
      catalog: "essay_templates.csv",
      origins: { v11: { key: "axes.essay_template[1]" } }
    })
    expect(gap.message).toContain("v11 at axes.essay_template[1]")
    expect(gap.message).not.toContain("undefined")
    expect(gap.message).not.toContain("constructor at")
  })

  it("a runaway value, key and include file are each cut, in the places and in the suggestions", () => {
    const huge = "x".repeat(50_000)
    const gap = new CoverageGap({
      field: "combo_id",
      missing: [huge],
      origins: { [huge]: { key: `axes.${huge}[0]`, file: `items/${huge}.csv`, line: 3 } },
      suggestions: { [huge]: `${huge}y` }
    })
    // The value listed, its place (file and key) and its suggestion (two values): six cut echoes at most.
    expect(gap.message.length).toBeLessThan(6 * (MAX_LISTED_CHARS + 40) + 400)
    expect(gap.message).toContain("more characters")
    expect(gap.message).toContain(" line 3 (")
  })
})
