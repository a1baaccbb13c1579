import { NodeContext } from "@effect/platform-node"
import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { designRecords } from "../../src/domain/Design.js"
import { designChunks } from "../../src/engine/MembershipSource.js"
import {
  type CompiledDesign,
  compileDesign,
  definitionFromDesignRows,
  InvalidSpec,
  makeInMemoryRegistry,
  parseSpec
} from "../../src/index.js"

/**
 * Edge cases where a differential run found us apart from the original (d2be249). Each case under
 * test/fixtures/parity/<case>/ holds a spec and what the original made of it: its design as the
 * original's CSV writer prints it (lineterminator "\n") and its drafts with their ids, or its refusal.
 * The expected files were produced by running the original's spec_dsl and utils/ids.py on the spec.
 */

const ROOT = join(__dirname, "..", "fixtures", "parity")

interface Expected {
  readonly design?: string
  readonly drafts?: ReadonlyArray<readonly [string, string, string, string, number]>
  readonly error?: string
}

const specOf = (name: string) => {
  const dir = join(ROOT, name, "spec")
  return existsSync(join(dir, "config.json")) ? join(dir, "config.json") : join(dir, "config.yaml")
}

const designText = (design: CompiledDesign): string =>
  Buffer.concat(Array.from(designChunks(design, "csv"), (c) => Buffer.from(c))).toString("utf8")

/** The drafts of a design (first-seen order) with their ids, as [id, combo, template, llm, replicate]. */
const draftsOf = (design: CompiledDesign) =>
  Effect.gen(function*() {
    const rows = designRecords(design).map((r) => ({
      essay_template: "e",
      essay_llm: "e",
      evaluation_template: "v",
      evaluation_llm: "v",
      ...r
    }))
    const definition = yield* definitionFromDesignRows(rows)
    const registry = yield* makeInMemoryRegistry
    return yield* Effect.forEach(definition.drafts, (d) =>
      Effect.map(
        registry.reserveDraftId({ ...d, cohortId: "c" }),
        (id) => [id, d.comboId, d.templateId, d.llmModelId, d.replicate] as const
      ))
  })

const CASES = readdirSync(ROOT).filter((name) => existsSync(join(ROOT, name, "expected.json")))

layer(NodeContext.layer)("parity with the original", (it) => {
  describe("each case gives the original's design and ids, or is refused where it refuses", () => {
    for (const name of CASES) {
      const expected = JSON.parse(readFileSync(join(ROOT, name, "expected.json"), "utf8")) as Expected
      it.effect(name, () =>
        Effect.gen(function*() {
          const result = yield* Effect.either(
            Effect.flatMap(parseSpec(specOf(name)), (spec) => compileDesign(spec))
          )
          if (expected.error !== undefined) {
            expect(result._tag).toBe("Left")
            if (result._tag === "Left") expect(result.left).toBeInstanceOf(InvalidSpec)
            return
          }
          if (result._tag === "Left") throw new Error(`refused: ${result.left.message}`)
          expect(designText(result.right)).toBe(expected.design)
          if (expected.drafts !== undefined) expect(yield* draftsOf(result.right)).toEqual(expected.drafts)
        }))
    }
  })

  it.effect("a tuple fed a plain value through a reused rule name is refused, naming the tuple", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Effect.flatMap(parseSpec(specOf("pair-reuses-name")), (spec) => compileDesign(spec))
      )
      expect(error).toBeInstanceOf(InvalidSpec)
      expect(error.key).toBe("T")
      expect(error.value).toBe("\"x\"")
    }))

  it.effect("a .txt include with a BOM is warned about", () =>
    Effect.gen(function*() {
      const spec = yield* parseSpec(specOf("txt-bom"))
      expect(spec.warnings).toHaveLength(1)
      expect(spec.warnings[0]).toContain("BOM")
      const plain = yield* parseSpec(specOf("field-order-repeat"))
      expect(plain.warnings).toEqual([])
    }))

  it.effect("any integer seed shuffles as Python's Random(seed), a negative one as its absolute value", () =>
    Effect.gen(function*() {
      const expected = JSON.parse(readFileSync(join(ROOT, "seeded", "expected_seeds.json"), "utf8")) as Record<
        string,
        string
      >
      const spec = yield* parseSpec(specOf("seeded"))
      for (const [seed, design] of Object.entries(expected)) {
        const n = BigInt(seed)
        const value = Number.isSafeInteger(Number(n)) ? Number(n) : n
        expect(designText(yield* compileDesign(spec, { seed: value })), seed).toBe(design)
      }
    }))
})
