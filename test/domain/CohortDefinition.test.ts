import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import {
  definitionFromDesignRows,
  generateMembership,
  InvalidSpec,
  makeInMemoryRegistry,
  MEMBERSHIP_COLUMNS,
  rowAt
} from "../../src/index.js"
import { goldenMemberships, membershipCsv, readCsv, readText } from "../support/Fixtures.js"

const row = (overrides: Record<string, unknown> = {}) => ({
  combo_id: "c1",
  draft_template: "dt",
  draft_llm: "m1",
  essay_template: "et",
  essay_llm: "m2",
  evaluation_template: "vt",
  evaluation_llm: "j1",
  ...overrides
})

describe("definitionFromDesignRows", () => {
  it.effect("reads every field, stripped, with replicates defaulting to 1", () =>
    Effect.gen(function*() {
      const def = yield* definitionFromDesignRows([row({ combo_id: "  c1 ", draft_llm: "m1\n" })])
      expect(def.drafts).toEqual([{ comboId: "c1", templateId: "dt", llmModelId: "m1", replicate: 1 }])
      expect(def.essays[0]).toMatchObject({ templateId: "et", llmModelId: "m2", replicate: 1 })
      expect(def.evaluations[0]).toMatchObject({ templateId: "vt", llmModelId: "j1", replicate: 1 })
      expect(def.evaluations[0]!.essay.draft).toBe(def.drafts[0])
    }))

  it.effect("takes the first non-empty alias", () =>
    Effect.gen(function*() {
      const { combo_id: _, draft_llm: __, ...rest } = row()
      const def = yield* definitionFromDesignRows([{ ...rest, combo: "alias-combo", draft_model: "", generation_llm: "gen" }])
      expect(def.drafts[0]).toMatchObject({ comboId: "alias-combo", llmModelId: "gen" })
    }))

  it.effect("reads replicates from their fallbacks in order", () =>
    Effect.gen(function*() {
      const def = yield* definitionFromDesignRows([
        row({ draft_template_replicate: "2", draft_rep: "3", essay_rep: 4, evaluation_llm_replicate: "5", evaluation_rep: "6" })
      ])
      expect(def.drafts[0]!.replicate).toBe(2)
      expect(def.essays[0]!.replicate).toBe(4)
      expect(def.evaluations[0]!.replicate).toBe(5)
    }))

  it.effect("de-duplicates in first-seen order", () =>
    Effect.gen(function*() {
      const def = yield* definitionFromDesignRows([
        row({ draft_template: "b" }),
        row({ draft_template: "a" }),
        row({ draft_template: "b", evaluation_llm: "j2" }),
        row({ draft_template: "b" })
      ])
      expect(def.drafts.map((d) => d.templateId)).toEqual(["b", "a"])
      expect(def.essays).toHaveLength(2)
      expect(def.evaluations.map((v) => `${v.essay.draft.templateId}/${v.llmModelId}`)).toEqual(["b/j1", "a/j1", "b/j2"])
    }))

  it.effect("an empty design is an empty definition", () =>
    Effect.gen(function*() {
      expect(yield* definitionFromDesignRows([])).toEqual({ drafts: [], essays: [], evaluations: [] })
    }))

  for (const field of ["combo_id", "draft_template", "draft_llm", "essay_template", "essay_llm", "evaluation_template", "evaluation_llm"]) {
    it.effect(`a missing ${field} is InvalidSpec naming it`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(definitionFromDesignRows([row(), row({ [field]: "   " })], { source: "spec.yaml" }))
        expect(error).toBeInstanceOf(InvalidSpec)
        expect(error.path).toBe("spec.yaml")
        expect(error.key).toBe(`rows[1].${field}`)
        expect(error.message).toContain(field)
      }))
  }

  for (const bad of ["0", "-1", "1.5", "x", 0, true]) {
    it.effect(`replicate ${JSON.stringify(bad)} is refused`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(definitionFromDesignRows([row({ essay_template_replicate: bad })]))
        expect(error._tag).toBe("InvalidSpec")
        expect(error.key).toBe("rows[0].essay_template_replicate")
        expect(error.reason).toContain("replicate")
      }))
  }

  it.effect("values with control characters are refused", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(definitionFromDesignRows([row({ essay_llm: "a\u0000b" })]))
      expect(error.key).toBe("rows[0].essay_llm")
    }))
})

describe("membership of the golden designs", () => {
  for (const golden of goldenMemberships()) {
    it.effect(`${golden.file.split("spec-golden/")[1]} from its design rows`, () =>
      Effect.gen(function*() {
        const def = yield* definitionFromDesignRows(readCsv(golden.design).rows)
        const rows = yield* generateMembership(def, golden.cohortId, yield* makeInMemoryRegistry)
        const records = rows.genId.map((_, i) => rowAt(rows, i))
        expect(membershipCsv(records, MEMBERSHIP_COLUMNS)).toBe(readText(golden.file))
      }))
  }
})

describe("definitions made by hand", () => {
  const design = [
    row(),
    row({ evaluation_llm: "j2" }),
    row({ essay_template: "et2", evaluation_template: "vt2" }),
    row({ combo_id: "c2", draft_template_replicate: 2 })
  ]

  it.effect("give the membership of the definition they copy (parents found by value, not identity)", () =>
    Effect.gen(function*() {
      const registry = yield* makeInMemoryRegistry
      const made = yield* definitionFromDesignRows(design)
      const copied = JSON.parse(JSON.stringify(made)) as typeof made
      expect(copied.evaluations[0]!.essay).not.toBe(copied.essays[0])
      const a = yield* generateMembership(made, "c", registry)
      const b = yield* generateMembership(copied, "c", registry)
      expect(b.genId).toEqual(a.genId)
      expect(b.parentGenId).toEqual(a.parentGenId)
      expect(b.comboId).toEqual(a.comboId)
      expect(a.counts).toEqual({ draft: 2, essay: 3, evaluation: 4 })
    }))

  it.effect("an evaluation listed twice is one row and one collapse", () =>
    Effect.gen(function*() {
      const made = yield* definitionFromDesignRows(design)
      const twice = { ...made, evaluations: [...made.evaluations, made.evaluations[0]!] }
      const rows = yield* generateMembership(twice, "c", yield* makeInMemoryRegistry)
      expect(rows.counts.evaluation).toBe(4)
      expect(rows.collapseCount).toBe(1)
      expect(new Set(rows.genId).size).toBe(rows.genId.length)
    }))

  it.effect("entries of a compiled definition share their parents", () =>
    Effect.gen(function*() {
      const made = yield* definitionFromDesignRows(design)
      expect(made.essays[1]!.draft).toBe(made.drafts[0])
      expect(made.evaluations[3]!.essay).toBe(made.essays[2])
      expect(made.drafts[1]).toEqual({ comboId: "c2", templateId: "dt", llmModelId: "m1", replicate: 2 })
    }))
})
