import { describe, expect, it } from "@effect/vitest"
import { signatureOfMetadata } from "../../src/domain/Signature.js"

// What the original's signature_from_metadata gives for these metadata files ("|"-joined; null: it raises,
// which counts as another signature), as Python 3.11 printed it.
const DRAFT = { combo_id: " C1 ", template_id: "T", llm_model_id: "m" }
const PYTHON_DRAFTS: ReadonlyArray<readonly [unknown, string | null]> = [
  [true, "c1|t|m|1"],
  [false, "c1|t|m|0"],
  ["\u0661", "c1|t|m|1"],
  [" 2 ", "c1|t|m|2"],
  ["\u00b2", null],
  ["1_0", null],
  [2.9, "c1|t|m|2"],
  [null, "c1|t|m|1"],
  [undefined, "c1|t|m|1"],
  [[1], null],
  ["+3", null],
  [1e20, "c1|t|m|100000000000000000000"]
]

describe("signatureOfMetadata", () => {
  for (const [replicate, expected] of PYTHON_DRAFTS) {
    it(`replicate ${JSON.stringify(replicate) ?? "absent"} is the original's signature`, () => {
      const metadata = replicate === undefined ? DRAFT : { ...DRAFT, replicate }
      expect(signatureOfMetadata("draft", metadata) ?? null).toBe(expected)
    })
  }

  it("falls back to essay_template only when template_id is falsy, as Python's `or` does", () => {
    expect(signatureOfMetadata("essay", { parent_gen_id: "d_x", template_id: "", essay_template: "E" })).toBe("d_x|e|1")
    expect(signatureOfMetadata("essay", { parent_gen_id: "d_x", template_id: 0, essay_template: "E" })).toBe("d_x|e|1")
    expect(signatureOfMetadata("essay", { parent_gen_id: "d_x", template_id: "  ", essay_template: "E" }))
      .toBeUndefined()
  })
})
