import { describe, expect, it } from "@effect/vitest"
import { Schema } from "effect"
import {
  ArtifactWriteFailed,
  CatalogIncomplete,
  CoverageGap,
  InvalidConstraint,
  InvalidSpec,
  SpecNotFound
} from "../../src/index.js"

describe("error messages", () => {
  it("the sentence survives Schema.encode and JSON.stringify", () => {
    const error = new InvalidSpec({ path: "spec.yaml", key: "axes.x", reason: "must be a list", value: "3" })
    expect(error.message).toBe("spec.yaml: axes.x: must be a list: 3")
    const encoded = Schema.encodeSync(InvalidSpec)(error)
    expect(encoded).toMatchObject({
      _tag: "InvalidSpec",
      path: "spec.yaml",
      message: "spec.yaml: axes.x: must be a list: 3"
    })
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ _tag: "InvalidSpec", message: error.message })
  })

  it("a neighbour error with optional fields serializes its sentence too", () => {
    const error = new SpecNotFound({ cohortId: "pilot" })
    expect(Schema.encodeSync(SpecNotFound)(error).message).toBe("no spec for cohort \"pilot\"")
    const gap = new CoverageGap({ field: "combo_id", missing: ["c9"] })
    expect(JSON.parse(JSON.stringify(gap)).message).toBe("combo_id not in catalog: c9")
  })

  it("decoding recomputes the sentence from the fields, ignoring a forged message", () => {
    const decoded = Schema.decodeUnknownSync(InvalidConstraint)({
      _tag: "InvalidConstraint",
      reason: "no definition",
      cohortId: "c",
      message: "forged"
    })
    expect(decoded).toBeInstanceOf(InvalidConstraint)
    expect(decoded.message).toBe("cohort \"c\": no definition")
    const roundTrip = Schema.decodeUnknownSync(CatalogIncomplete)(
      Schema.encodeSync(CatalogIncomplete)(
        new CatalogIncomplete({ slice: "combo_mappings", missingColumns: ["a", "b"] })
      )
    )
    expect(roundTrip.message).toBe("catalog combo_mappings lacks columns: a, b")
  })

  it("the message is read-only and still the Error's message", () => {
    const error = new ArtifactWriteFailed({ path: "/x", cause: "disk full" })
    expect(error).toBeInstanceOf(Error)
    expect(String(error)).toContain("cannot write /x: disk full")
    expect(() => {
      ;(error as { message: string }).message = "changed"
    }).toThrow(TypeError)
  })
})
