import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, FastCheck } from "effect"
import { tmpdir } from "node:os"
import { designFromRows } from "../../src/domain/Design.js"
import { definitionFromDesign } from "../../src/engine/DefinitionFromDesign.js"
import {
  compileDesign,
  definitionFromDesignRows,
  generateMembership,
  InvalidSpec,
  makeInMemoryRegistry,
  MEMBERSHIP_COLUMNS,
  parseSpec,
  rowAt,
  type SpecValue
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
      const def = yield* definitionFromDesignRows([{
        ...rest,
        combo: "alias-combo",
        draft_model: "",
        generation_llm: "gen"
      }])
      expect(def.drafts[0]).toMatchObject({ comboId: "alias-combo", llmModelId: "gen" })
    }))

  it.effect("reads replicates from their fallbacks in order", () =>
    Effect.gen(function*() {
      const def = yield* definitionFromDesignRows([
        row({
          draft_template_replicate: "2",
          draft_rep: "3",
          essay_rep: 4,
          evaluation_llm_replicate: "5",
          evaluation_rep: "6"
        })
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
      expect(def.evaluations.map((v) => `${v.essay.draft.templateId}/${v.llmModelId}`)).toEqual([
        "b/j1",
        "a/j1",
        "b/j2"
      ])
    }))

  it.effect("an empty design is an empty definition", () =>
    Effect.gen(function*() {
      expect(yield* definitionFromDesignRows([])).toEqual({ drafts: [], essays: [], evaluations: [] })
    }))

  for (
    const field of [
      "combo_id",
      "draft_template",
      "draft_llm",
      "essay_template",
      "essay_llm",
      "evaluation_template",
      "evaluation_llm"
    ]
  ) {
    it.effect(`a missing ${field} is InvalidSpec naming it`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(
          definitionFromDesignRows([row(), row({ [field]: "   " })], { source: "spec.yaml" })
        )
        expect(error).toBeInstanceOf(InvalidSpec)
        expect(error.path).toBe("spec.yaml")
        expect(error.key).toBe(`rows[1].${field}`)
        expect(error.message).toContain(field)
      }))
  }

  // Python's int() refuses these, or gives a number below 1; 1.5 (int() gives 1) is refused on purpose.
  for (const bad of ["0", "-1", "1.5", "x", 0, false, "²", "1__0", "2.0"]) {
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

describe("definitions from compiled designs", () => {
  // Levels with case variants, blanks (an alias is read instead), numbers, and repeated values, so
  // that entries repeat in and out of order.
  const text = FastCheck.constantFrom("a", "A", "b", " b", "c", 7)
  const levels = FastCheck.array(text, { minLength: 1, maxLength: 3 })
  const spec = FastCheck.record({
    // A blank combo_id is read from `combo` instead.
    combo_id: FastCheck.array(FastCheck.constantFrom("a", "A", "", " "), { minLength: 1, maxLength: 3 }),
    combo: FastCheck.array(FastCheck.constantFrom("k1", "k2"), { minLength: 1, maxLength: 2 }),
    draft_template: levels,
    draft_llm: levels,
    draft_replicate: FastCheck.array(FastCheck.constantFrom("1", "2", 3), { minLength: 1, maxLength: 2 }),
    essay_template: levels,
    essay_llm: levels,
    // Evaluation template and LLM as one tuple axis: columns read through a path.
    evaluation: FastCheck.array(
      FastCheck.tuple(FastCheck.constantFrom("a", "b", "", 7), FastCheck.constantFrom("j1", "J1", "j2")),
      {
        minLength: 1,
        maxLength: 4
      }
    ),
    evaluation_replicate: FastCheck.array(FastCheck.constantFrom("1", "2"), { minLength: 1, maxLength: 2 }),
    seed: FastCheck.option(FastCheck.nat(1000), { nil: undefined })
  })

  const entries = (def: { drafts: unknown; essays: unknown; evaluations: unknown }) =>
    JSON.stringify([def.drafts, def.essays, def.evaluations])

  const compare = (data: Record<string, unknown>, seed: number | undefined) =>
    Effect.gen(function*() {
      const parsed = yield* parseSpec({
        data: { ...data, output: { field_order: ["combo_id"] } },
        baseDir: tmpdir(),
        source: "<property>"
      })
      const design = yield* compileDesign(parsed, seed === undefined ? {} : { seed })
      expect(design.levels).toBeDefined()
      const rows: Array<Array<SpecValue>> = []
      design.forEachRow((row) => {
        rows.push([...row])
      })
      const byLevels = yield* Effect.either(definitionFromDesign(design))
      const byRows = yield* Effect.either(definitionFromDesign(designFromRows(design.columns, rows)))
      if (Either.isLeft(byLevels) || Either.isLeft(byRows)) {
        expect(byLevels).toEqual(byRows)
        return false
      }
      expect(entries(byLevels.right)).toBe(entries(byRows.right))
      return true
    }).pipe(Effect.provide(NodeContext.layer))

  it.effect("read by level indices, they equal the definitions of the same rows given as values", () =>
    Effect.gen(function*() {
      let compared = 0
      for (const c of FastCheck.sample(spec, { numRuns: 150, seed: 5 })) {
        const { evaluation, seed, ...axes } = c
        if (
          yield* compare({
            axes,
            rules: { tuples: { ev: { axes: ["evaluation_template", "evaluation_llm"], items: evaluation } } }
          }, seed)
        ) compared++
      }
      // Most samples make a definition (blank values without an alias are refused alike, above).
      expect(compared).toBeGreaterThan(50)
    }))

  it.effect("with more than 65,536 distinct combos and templates, and replicates beyond 2^20 (no packing limit)", () =>
    Effect.gen(function*() {
      const n = 66_000
      const data = {
        axes: {
          draft_llm: ["m"],
          draft_replicate: [2147483647],
          essay_replicate: [String(2 ** 21)],
          essay_template: ["e"],
          essay_llm: ["m"],
          evaluation_template: ["v"],
          evaluation_llm: ["j"]
        },
        rules: {
          tuples: {
            combo: {
              axes: ["combo_id", "draft_template"],
              items: Array.from({ length: n }, (_, i) => [`c${i}`, `t${i}`])
            }
          }
        }
      }
      expect(yield* compare(data, undefined)).toBe(true)
      const parsed = yield* parseSpec({ data: { ...data, output: { field_order: [] } }, baseDir: tmpdir() })
      const definition = yield* definitionFromDesign(yield* compileDesign(parsed))
      expect(definition.drafts).toHaveLength(n)
      expect(definition.essays).toHaveLength(n)
      expect(definition.drafts[n - 1]).toEqual({
        comboId: `c${n - 1}`,
        templateId: `t${n - 1}`,
        llmModelId: "m",
        replicate: 2147483647
      })
      expect(new Set(definition.drafts.map((d) => d.templateId)).size).toBe(n)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("with more (template, LLM, replicate) triples than the bitmap takes", () =>
    Effect.map(
      compare({
        axes: {
          combo_id: ["c1", "c2"],
          draft_template: ["d"],
          draft_llm: ["m"],
          essay_template: ["e1", "e2"],
          essay_llm: ["m"],
          evaluation_template: Array.from({ length: 20 }, (_, i) => `v${i}`),
          evaluation_llm: Array.from({ length: 15 }, (_, i) => `j${i}`),
          evaluation_replicate: ["1", "2"]
        }
      }, 3),
      (compared) => expect(compared).toBe(true)
    ))
})
