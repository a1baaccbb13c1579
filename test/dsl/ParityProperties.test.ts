import { FileSystem, Path } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Either, FastCheck } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { designFromRows } from "../../src/domain/Design.js"
import { pyStr } from "../../src/domain/SpecValue.js"
import { definitionFromDesign } from "../../src/engine/DefinitionFromDesign.js"
import {
  compileDesign,
  computeGenId,
  definitionFromDesignRows,
  generateMembership,
  layoutDesign,
  makeInMemoryRegistry,
  parseSpec,
  type SpecValue
} from "../../src/index.js"

/**
 * Properties over specs drawn from every kind of value the DSL reads: ints, floats, integers beyond
 * 2^53, YAML 1.1 scalars (yes/on/0x1/017/1:00), explicit tags, timestamps, unicode, a BOM.
 * python-equality.json holds, for each YAML token, its class under Python's `==` among all tokens and
 * `str()` of the value PyYAML reads (printed by Python 3.11 + PyYAML 6).
 */

const EQUALITY = JSON.parse(
  readFileSync(join(__dirname, "..", "fixtures", "parity", "python-equality.json"), "utf8")
) as Record<string, readonly [number, string]>
const TOKENS = Object.keys(EQUALITY)
const token = FastCheck.constantFrom(...TOKENS)

/** Writes `files` into a scoped temp folder and parses its spec.yaml. */
const parseFiles = (files: Record<string, string>) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const dir = yield* fs.makeTempDirectoryScoped({ prefix: "cohort-parity-" })
    for (const [name, text] of Object.entries(files)) yield* fs.writeFileString(path.join(dir, name), text)
    return yield* parseSpec(path.join(dir, "spec.yaml"))
  })

const FIELDS = [
  "combo_id",
  "draft_template",
  "draft_llm",
  "essay_template",
  "essay_llm",
  "evaluation_template",
  "evaluation_llm"
]

layer(NodeContext.layer)("parity properties", (it) => {
  describe("levels equal in Python collapse", () => {
    it.scoped("an axis keeps the first token of each Python-equality class, printed as Python's str()", () =>
      Effect.gen(function*() {
        const sample = FastCheck.sample(
          FastCheck.record({
            levels: FastCheck.array(token, { minLength: 1, maxLength: 10 }),
            bom: FastCheck.boolean()
          }),
          { numRuns: 200, seed: 11 }
        )
        for (const { bom, levels } of sample) {
          const yaml = `${bom ? "\ufeff" : ""}axes:\n  a: [${levels.join(", ")}]\noutput:\n  field_order: [a]\n`
          const plan = yield* layoutDesign(yield* parseFiles({ "spec.yaml": yaml }))
          const firsts = new Map<number, string>()
          for (const t of levels) if (!firsts.has(EQUALITY[t]![0])) firsts.set(EQUALITY[t]![0], EQUALITY[t]![1])
          expect(plan.levels[0]!.map(pyStr), yaml).toEqual([...firsts.values()])
        }
      }))

    it.scoped("a .txt include keeps a leading BOM in its first value (str.strip() keeps U+FEFF) and warns", () =>
      Effect.gen(function*() {
        const line = FastCheck.string({ minLength: 1, maxLength: 6 }).filter((s) => /^[a-zA-Z0-9é😀 ]*[a-z]$/u.test(s))
        for (
          const lines of FastCheck.sample(FastCheck.array(line, { minLength: 1, maxLength: 4 }), {
            numRuns: 30,
            seed: 3
          })
        ) {
          const spec = yield* parseFiles({
            "spec.yaml": "axes:\n  a: '@file:a.txt'\noutput:\n  field_order: [a]\n",
            "a.txt": `\ufeff${lines.join("\n")}\n`
          })
          const plan = yield* layoutDesign(spec)
          expect(plan.levels[0]![0]).toBe(`\ufeff${lines[0]!.trim()}`)
          expect(spec.warnings.some((w) => w.includes("BOM"))).toBe(true)
        }
      }))
  })

  describe("ids are stable under whitespace and case", () => {
    const SPACES = [" ", "\t", "\u00a0", "\u3000", "\u2003", "\n"]
    const text = FastCheck.string({ unit: "grapheme", minLength: 1, maxLength: 8 }).filter((s) =>
      // eslint-disable-next-line no-control-regex
      s.trim() !== "" && !/[\u0000-\u001f\u007f-\u009f\s\ufeff]/u.test(s)
    )
    it.effect("a field padded with Python whitespace, or upper-cased, has the same generation ids", () =>
      Effect.gen(function*() {
        const sample = FastCheck.sample(
          FastCheck.record({
            value: text,
            field: FastCheck.constantFrom(...FIELDS),
            pad: FastCheck.constantFrom(...SPACES)
          }),
          { numRuns: 150, seed: 7 }
        )
        const registry = yield* makeInMemoryRegistry
        for (const { field, pad, value } of sample) {
          const upper = value.toUpperCase().toLowerCase() === value.toLowerCase() ? value.toUpperCase() : value
          const row = (v: string) => ({ ...Object.fromEntries(FIELDS.map((f) => [f, `x-${f}`])), [field]: v })
          const ids = []
          for (const v of [value, `${pad}${value}${pad}`, upper]) {
            const definition = yield* definitionFromDesignRows([row(v)])
            const rows = yield* generateMembership(definition, "c", registry)
            ids.push(rows.genId.join(","))
          }
          expect(new Set(ids).size, JSON.stringify(value)).toBe(1)
        }
      }))
  })

  describe("membership is a function of the design, whichever path reads it", () => {
    const levels = FastCheck.array(token, { minLength: 1, maxLength: 3 })
    // Replicates Python's int() reads (and a few it refuses, or that are below 1).
    const replicate = FastCheck.constantFrom(
      "1",
      "1.0",
      "true",
      "yes",
      "2",
      "2.0",
      "'2'",
      "0x1",
      "01",
      "1:00",
      "1_000",
      "'1_0'",
      "1.0e+3",
      "\"\\u0661\"",
      "3",
      "!!float 3",
      "!!int '3'",
      "!!str 3",
      "1.5",
      "0",
      "~"
    )
    const seed = FastCheck.option(
      FastCheck.oneof(
        FastCheck.integer({ min: -1000, max: 1000 }),
        FastCheck.bigInt({ min: -(2n ** 70n), max: 2n ** 70n })
      ),
      { nil: undefined }
    )
    it.scoped("by level indices or by rows of values, the same definition and the same ids", () =>
      Effect.gen(function*() {
        const registry = yield* makeInMemoryRegistry
        const sample = FastCheck.sample(
          FastCheck.record({
            axes: FastCheck.tuple(
              ...FIELDS.map(() => levels),
              FastCheck.array(replicate, { minLength: 1, maxLength: 2 })
            ),
            seed
          }),
          { numRuns: 120, seed: 13 }
        )
        let compared = 0
        for (const { axes, seed: s } of sample) {
          const yaml = [
            "axes:",
            ...FIELDS.map((f, i) => `  ${f}: [${axes[i]!.join(", ")}]`),
            `  draft_replicate: [${axes[FIELDS.length]!.join(", ")}]`,
            "output:\n  field_order: [combo_id]\n"
          ].join("\n")
          const design = yield* compileDesign(
            yield* parseFiles({ "spec.yaml": yaml }),
            s === undefined ? {} : { seed: s }
          )
          const rows: Array<Array<SpecValue>> = []
          design.forEachRow((row) => {
            rows.push([...row])
          })
          const byLevels = yield* Effect.either(definitionFromDesign(design))
          const byRows = yield* Effect.either(definitionFromDesign(designFromRows(design.columns, rows)))
          if (Either.isLeft(byLevels) || Either.isLeft(byRows)) {
            expect(byLevels, yaml).toEqual(byRows)
            continue
          }
          const a = yield* generateMembership(byLevels.right, "c", registry)
          const b = yield* generateMembership(byRows.right, "c", registry)
          expect(a.genId, yaml).toEqual(b.genId)
          expect(a.parentGenId).toEqual(b.parentGenId)
          compared++
        }
        expect(compared).toBeGreaterThan(30)
      }))
  })
})

describe("replicates of any size", () => {
  it.effect("one generation per integer, whatever its spelling, its id over the integer's decimal digits", () =>
    Effect.gen(function*() {
      const registry = yield* makeInMemoryRegistry
      const sample = FastCheck.sample(FastCheck.bigInt({ min: 1n, max: 2n ** 200n }), { numRuns: 60, seed: 11 })
      for (const n of [...sample, 2n ** 31n - 1n, 2n ** 31n, 2n ** 53n + 1n]) {
        const spellings: Array<unknown> = [n, String(n), ` ${n} `, [...String(n)].join("_")]
        if (n <= 2n ** 53n) spellings.push(Number(n))
        const rows = spellings.map((draft_replicate) => ({
          combo_id: "c",
          draft_template: "t",
          draft_llm: "m",
          draft_replicate,
          essay_template: "e",
          essay_llm: "m",
          evaluation_template: "v",
          evaluation_llm: "j"
        }))
        const definition = yield* definitionFromDesignRows(rows)
        expect(definition.drafts.map((d) => String(d.replicate))).toEqual([String(n)])
        const membership = yield* generateMembership(definition, "c", registry)
        expect(membership.genId[0]).toBe(yield* computeGenId("draft", ["c", "t", "m", String(n)]))
        expect(membership.replicate.map(String)).toEqual([String(n), "1", "1"])
      }
    }))
})
