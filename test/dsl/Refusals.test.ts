import { FileSystem, Path } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { symlinkSync } from "node:fs"
import { designRecords } from "../../src/domain/Design.js"
import {
  compileDesign,
  type CompileOptions,
  definitionFromDesignRows,
  InvalidSpec,
  layoutDesign,
  parseSpec,
  type ParseSpecOptions
} from "../../src/index.js"

/**
 * Every refusal of the spec DSL (REFERENCE §3): each names the file, the key and the offending value.
 * Specs are written to `<tmp>/spec/`, so `<tmp>/` is "outside the spec's folder".
 */

type Files = Readonly<Record<string, string | Uint8Array>>

const SPEC = "spec/config.yaml"
const NO_FIELDS = "output:\n  field_order: []\n"

/** A scoped temporary folder holding `files`; its real path (symlinks resolved), as include errors report. */
const folder = (files: Files) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const root = yield* fs.realPath(yield* fs.makeTempDirectoryScoped({ prefix: "cohort-spec-" }))
    yield* fs.makeDirectory(path.join(root, "spec"), { recursive: true })
    for (const [name, content] of Object.entries(files)) {
      const file = path.join(root, name)
      yield* fs.makeDirectory(path.dirname(file), { recursive: true })
      yield* typeof content === "string" ? fs.writeFileString(file, content) : fs.writeFile(file, content)
    }
    return { root, at: (name: string) => path.join(root, name) }
  }).pipe(Effect.orDie)

/** Parses `main` of a folder of files and returns the refusal. */
const refusal = (files: Files, main = SPEC, options: ParseSpecOptions = {}) =>
  Effect.gen(function*() {
    const dir = yield* folder(files)
    const error = yield* Effect.flip(parseSpec(dir.at(main), options))
    return { error, dir, spec: dir.at(main) }
  })

/** Parses and compiles the spec, returning the refusal (from either step). */
const compileRefusal = (yaml: string, options: CompileOptions = {}) =>
  Effect.gen(function*() {
    const dir = yield* folder({ [SPEC]: yaml })
    const error = yield* Effect.flip(
      Effect.flatMap(parseSpec(dir.at(SPEC)), (spec) => compileDesign(spec, options))
    )
    return { error, spec: dir.at(SPEC) }
  })

interface Expected {
  readonly path: string
  readonly key?: string | undefined
  readonly value?: string | undefined
  readonly hint?: string | RegExp | undefined
  readonly reason?: string | RegExp
}

/** Tag, path, key and value exactly (absent ones absent), hint/reason when given, and a message naming file and key. */
const expectInvalid = (error: InvalidSpec, expected: Expected) => {
  expect(error).toBeInstanceOf(InvalidSpec)
  expect(error._tag).toBe("InvalidSpec")
  expect(error.path).toBe(expected.path)
  expect(error.key).toBe(expected.key)
  expect(error.value).toBe(expected.value)
  if (expected.hint instanceof RegExp) expect(error.hint).toMatch(expected.hint)
  else if (expected.hint !== undefined) expect(error.hint).toBe(expected.hint)
  if (expected.reason instanceof RegExp) expect(error.reason).toMatch(expected.reason)
  else if (expected.reason !== undefined) expect(error.reason).toBe(expected.reason)
  expect(error.message).toContain(expected.path)
  if (expected.key !== undefined) expect(error.message).toContain(expected.key)
  if (expected.value !== undefined) expect(error.message).toContain(expected.value)
}

/** Rows of a design as plain records. */
const rowsOf = (yaml: string, files: Files = {}) =>
  Effect.gen(function*() {
    const dir = yield* folder({ [SPEC]: yaml, ...files })
    const spec = yield* parseSpec(dir.at(SPEC))
    return { spec, rows: designRecords(yield* compileDesign(spec)) }
  })

const DESIGN_AXES = [
  "  combo_id: [combo-1]",
  "  draft_template: [draft-a]",
  "  draft_llm: [m1]",
  "  essay_template: [essay-a]",
  "  evaluation_template: [eval-a]",
  "  evaluation_llm: [j1]"
].join("\n")

layer(NodeContext.layer)("spec refusals", (it) => {
  describe("the spec file", () => {
    it.scoped("malformed YAML names the line", () =>
      Effect.gen(function*() {
        const { error, spec } = yield* refusal({ [SPEC]: "axes:\n  a: [x, y\n  b: [z]\n" + NO_FIELDS })
        expectInvalid(error, { path: spec, key: "line 3", reason: /^not valid YAML: / })
      }))

    it.scoped("malformed JSON", () =>
      Effect.gen(function*() {
        const json = "spec/config.json"
        const { error, spec } = yield* refusal({ [json]: "{\"axes\": {\"a\": [\"x\"]," }, json)
        expectInvalid(error, { path: spec, reason: /^not valid JSON: / })
      }))

    it.scoped("a top level that is not a mapping", () =>
      Effect.gen(function*() {
        const { error, spec } = yield* refusal({ [SPEC]: "- axes\n- output\n" })
        expectInvalid(error, { path: spec, value: "[\"axes\",\"output\"]", reason: "the top level must be a mapping" })
        const scalar = yield* refusal({ "spec/scalar.json": "42" }, "spec/scalar.json")
        expectInvalid(scalar.error, { path: scalar.spec, value: "42", reason: "the top level must be a mapping" })
      }))

    it.scoped("an unsupported spec extension", () =>
      Effect.gen(function*() {
        const { error, spec } = yield* refusal({ "spec/config.toml": "axes = {}\n" }, "spec/config.toml")
        expectInvalid(error, { path: spec, reason: "unsupported spec format", hint: "use .yaml, .yml or .json" })
      }))

    it.scoped("an empty YAML file lacks output (and so output.field_order)", () =>
      Effect.gen(function*() {
        const { error, spec } = yield* refusal({ [SPEC]: "" })
        expectInvalid(error, { path: spec, key: "output", reason: "is required" })
        const bare = yield* refusal({ [SPEC]: "axes: {}\noutput: {}\n" })
        expectInvalid(bare.error, { path: bare.spec, key: "output.field_order", reason: "is required" })
      }))

    it.scoped("a spec file that is not UTF-8", () =>
      Effect.gen(function*() {
        const bytes = new Uint8Array([0x61, 0x78, 0x65, 0x73, 0x3a, 0xff, 0xfe, 0x0a])
        const { error, spec } = yield* refusal({ [SPEC]: bytes })
        expectInvalid(error, { path: spec, reason: "not valid UTF-8 text" })
      }))

    it.scoped("integer-like mapping keys", () =>
      Effect.gen(function*() {
        const { error, spec } = yield* refusal({ [SPEC]: "axes:\n  a: [x]\n  2: [y]\n" + NO_FIELDS })
        expectInvalid(error, { path: spec, key: "line 3", reason: /mapping key "2" is a plain number/ })
      }))

    it.scoped("duplicate keys", () =>
      Effect.gen(function*() {
        const { error, spec } = yield* refusal({ [SPEC]: "axes:\n  a: [x]\n  a: [y]\n" + NO_FIELDS })
        expectInvalid(error, { path: spec, key: "line 3", reason: /Map keys must be unique/ })
      }))
  })

  describe("unknown keys", () => {
    it.scoped("a top-level typo suggests the key", () =>
      Effect.gen(function*() {
        const { error, spec } = yield* refusal({ [SPEC]: "axis:\n  a: [x]\n" + NO_FIELDS })
        expectInvalid(error, { path: spec, key: "axis", reason: "unknown key", hint: "did you mean \"axes\"?" })
      }))

    it.scoped("an unknown rule section suggests the section", () =>
      Effect.gen(function*() {
        const { error, spec } = yield* refusal({
          [SPEC]: "axes:\n  a: [x]\n  b: [y]\nrules:\n  pair:\n" +
            "    p: {left: a, right: b, allowed: [[x, y]]}\n" + NO_FIELDS
        })
        expectInvalid(error, { path: spec, key: "rules.pair", reason: "unknown key", hint: "did you mean \"pairs\"?" })
      }))

    it.scoped("an unknown key in a pair suggests the key", () =>
      Effect.gen(function*() {
        const { error, spec } = yield* refusal({
          [SPEC]: "axes:\n  a: [x]\n  b: [y]\nrules:\n  pairs:\n" +
            "    p: {left: a, right: b, alowed: [[x, y]]}\n" + NO_FIELDS
        })
        expectInvalid(error, {
          path: spec,
          key: "rules.pairs.p.alowed",
          reason: "unknown key",
          hint: "did you mean \"allowed\"?"
        })
      }))

    it.scoped("an unknown key in a tie is named, not hidden behind the list form", () =>
      Effect.gen(function*() {
        const { error, spec } = yield* refusal({
          [SPEC]: "axes:\n  a: [x]\n  b: [x]\nrules:\n  ties:\n    t: {axs: [a, b]}\n" + NO_FIELDS
        })
        expectInvalid(error, {
          path: spec,
          key: "rules.ties.t.axs",
          reason: "unknown key",
          hint: "did you mean \"axes\"?"
        })
      }))

    it.scoped("`to:` in a tie", () =>
      Effect.gen(function*() {
        const { error, spec } = yield* refusal({
          [SPEC]: "axes:\n  a: [x]\n  b: [x]\nrules:\n  ties:\n    t: {axes: [a, b], to: a}\n" + NO_FIELDS
        })
        expectInvalid(error, {
          path: spec,
          key: "rules.ties.t.to",
          value: "\"a\"",
          reason: "a tie takes no 'to'",
          hint: /the tie's key is its name/
        })
      }))

    it.scoped("`expand:` in a tuple", () =>
      Effect.gen(function*() {
        const { error, spec } = yield* refusal({
          [SPEC]: "rules:\n  tuples:\n    t: {axes: [a, b], items: [[x, y]], expand: true}\n" + NO_FIELDS
        })
        expectInvalid(error, {
          path: spec,
          key: "rules.tuples.t.expand",
          value: "true",
          reason: "tuple 'expand' is no longer supported"
        })
      }))
  })

  describe("wrong types", () => {
    it.scoped("an axis whose value is not a list", () =>
      Effect.gen(function*() {
        const LIST = "must be a list or an '@file:<relative path>' include"
        const number = yield* refusal({ [SPEC]: "axes:\n  a: 5\n" + NO_FIELDS })
        expectInvalid(number.error, { path: number.spec, key: "axes.a", value: "5", reason: LIST })
        const text = yield* refusal({ [SPEC]: "axes:\n  a: x.csv\n" + NO_FIELDS })
        expectInvalid(text.error, { path: text.spec, key: "axes.a", value: "\"x.csv\"", reason: LIST })
      }))

    it.scoped("axes that is not a mapping", () =>
      Effect.gen(function*() {
        const { error, spec } = yield* refusal({ [SPEC]: "axes: [a, b]\n" + NO_FIELDS })
        expectInvalid(error, { path: spec, key: "axes", value: "[\"a\",\"b\"]" })
      }))

    it.scoped("field_order that is not a list", () =>
      Effect.gen(function*() {
        const { error, spec } = yield* refusal({ [SPEC]: "axes:\n  a: [x]\noutput:\n  field_order: a\n" })
        expectInvalid(error, {
          path: spec,
          key: "output.field_order",
          value: "\"a\"",
          reason: "must be a list of axis names"
        })
      }))

    it.scoped("a balance other than left/right/both", () =>
      Effect.gen(function*() {
        const { error, spec } = yield* refusal({
          [SPEC]: "axes:\n  a: [x]\n  b: [y]\nrules:\n  pairs:\n" +
            "    p: {left: a, right: b, allowed: [[x, y]], balance: up}\n" + NO_FIELDS
        })
        expectInvalid(error, {
          path: spec,
          key: "rules.pairs.p.balance",
          value: "\"up\"",
          reason: "must be one of left, right, both"
        })
      }))

    it.scoped("a tuple with no axes", () =>
      Effect.gen(function*() {
        const { error, spec } = yield* refusal({
          [SPEC]: "rules:\n  tuples:\n    t: {axes: [], items: []}\n" + NO_FIELDS
        })
        expectInvalid(error, {
          path: spec,
          key: "rules.tuples.t.axes",
          value: "[]",
          reason: "must be a non-empty list of axis names"
        })
      }))

    it.scoped("a tie that is an empty list", () =>
      Effect.gen(function*() {
        const { error, spec } = yield* refusal({ [SPEC]: "axes:\n  a: [x]\nrules:\n  ties:\n    t: []\n" + NO_FIELDS })
        expectInvalid(error, {
          path: spec,
          key: "rules.ties.t",
          value: "[]",
          reason: "must be a non-empty list of axis names"
        })
      }))

    it.scoped("field_order naming an unknown axis suggests the axis", () =>
      Effect.gen(function*() {
        const { error, spec } = yield* refusal({
          [SPEC]: "axes:\n  alpha: [x]\n  beta: [y]\noutput:\n  field_order: [beta, alpah]\n"
        })
        expectInvalid(error, {
          path: spec,
          key: "output.field_order[1]",
          value: "\"alpah\"",
          reason: "names no axis",
          hint: "did you mean \"alpha\"?"
        })
      }))
  })

  describe("@file: includes", () => {
    const include = (file: string) => `axes:\n  a: '@file:${file}'\n${NO_FIELDS}`

    it.scoped("a missing file", () =>
      Effect.gen(function*() {
        const { dir, error, spec } = yield* refusal({ [SPEC]: include("levels.csv") })
        expectInvalid(error, {
          path: spec,
          key: "axes.a",
          value: "\"@file:levels.csv\"",
          reason: "included file not found",
          hint: `looked for ${dir.at("spec/levels.csv")}`
        })
      }))

    it.scoped("an unsupported extension", () =>
      Effect.gen(function*() {
        const { error, spec } = yield* refusal({ [SPEC]: include("levels.xml"), "spec/levels.xml": "<a/>\n" })
        expectInvalid(error, {
          path: spec,
          key: "axes.a",
          value: "\"@file:levels.xml\"",
          reason: "unsupported include type \".xml\"",
          hint: "use .csv, .txt, .json, .yaml or .yml"
        })
      }))

    it.scoped("`@file:` with no name", () =>
      Effect.gen(function*() {
        const { error, spec } = yield* refusal({ [SPEC]: include("") })
        expectInvalid(error, { path: spec, key: "axes.a", value: "\"@file:\"", reason: "an include needs a file name" })
        const blank = yield* refusal({ [SPEC]: include("  ") })
        expectInvalid(blank.error, { path: blank.spec, key: "axes.a", value: "\"@file:  \"" })
      }))

    it.scoped("a file that is not UTF-8", () =>
      Effect.gen(function*() {
        const { error, spec } = yield* refusal({
          [SPEC]: include("levels.txt"),
          "spec/levels.txt": new Uint8Array([0x6f, 0x6e, 0x65, 0x0a, 0xc3, 0x28, 0x0a])
        })
        expectInvalid(error, {
          path: spec,
          key: "axes.a",
          value: "\"@file:levels.txt\"",
          reason: "cannot use the included file: not valid UTF-8 text"
        })
      }))

    it.scoped("a .json include that is not a list", () =>
      Effect.gen(function*() {
        const { error, spec } = yield* refusal({ [SPEC]: include("levels.json"), "spec/levels.json": "{\"x\": 1}\n" })
        expectInvalid(error, {
          path: spec,
          key: "axes.a",
          value: "\"@file:levels.json\"",
          reason: "the included file must hold a list"
        })
      }))

    it.scoped("a .json include that is not JSON is reported in the included file", () =>
      Effect.gen(function*() {
        const { dir, error } = yield* refusal({ [SPEC]: include("levels.json"), "spec/levels.json": "[\"x\",\n" })
        expectInvalid(error, {
          path: dir.at("spec/levels.json"),
          key: "axes.a (@file:levels.json)",
          reason: /invalid JSON/
        })
      }))

    describe("CSV problems are reported in the included file", () => {
      const csvRefusal = (csv: string) =>
        Effect.map(
          refusal({ [SPEC]: include("levels.csv"), "spec/levels.csv": csv }),
          ({ dir, error }) => ({ error, csv: dir.at("spec/levels.csv") })
        )
      const KEY = "axes.a (@file:levels.csv)"

      it.scoped("an empty file (no header)", () =>
        Effect.gen(function*() {
          const { csv, error } = yield* csvRefusal("")
          expectInvalid(error, { path: csv, key: KEY, reason: "the CSV file is empty (a header row is required)" })
        }))

      it.scoped("a header and no data rows", () =>
        Effect.gen(function*() {
          const { csv, error } = yield* csvRefusal("level\n")
          expectInvalid(error, { path: csv, key: KEY, reason: "the CSV file has a header but no data rows" })
        }))

      it.scoped("an empty cell in a one-column file", () =>
        Effect.gen(function*() {
          const { csv, error } = yield* csvRefusal("level\nx\n\"  \"\ny\n")
          expectInvalid(error, { path: csv, key: KEY, reason: "empty value in data row 2, column \"level\"" })
        }))

      it.scoped("an empty cell in a multi-column file", () =>
        Effect.gen(function*() {
          const { csv, error } = yield* csvRefusal("template,llm\nt1,m1\nt2,\n")
          expectInvalid(error, { path: csv, key: KEY, reason: "empty value in data row 2, column \"llm\"" })
        }))

      it.scoped("a blank header name", () =>
        Effect.gen(function*() {
          const { csv, error } = yield* csvRefusal("template, \nt1,m1\n")
          expectInvalid(error, { path: csv, key: KEY, reason: "the CSV header has a blank column name (column 2)" })
        }))

      it.scoped("a duplicate header", () =>
        Effect.gen(function*() {
          const { csv, error } = yield* csvRefusal("llm,llm\nm1,m2\n")
          expectInvalid(error, { path: csv, key: KEY, value: "\"llm\"", reason: "the CSV header repeats a column" })
        }))

      it.scoped("a ragged row", () =>
        Effect.gen(function*() {
          const { csv, error } = yield* csvRefusal("template,llm\nt1,m1\nt2\n")
          expectInvalid(error, { path: csv, key: KEY, reason: /^not a valid CSV file: .*line 3/ })
        }))
    })

    describe("includes stay inside the spec's folder", () => {
      const OUTSIDE = { "secret.csv": "level\nx\n" }
      const WIDEN = "an embedder can widen the include root"

      it.scoped("`@file:../x.csv` is refused even though the file exists", () =>
        Effect.gen(function*() {
          const { dir, error, spec } = yield* refusal({ [SPEC]: include("../secret.csv"), ...OUTSIDE })
          expectInvalid(error, {
            path: spec,
            key: "axes.a",
            value: "\"@file:../secret.csv\"",
            reason: "an include may not leave the spec's folder",
            hint: `it resolves to ${dir.at("secret.csv")}, outside ${dir.at("spec")}; ${WIDEN}`
          })
        }))

      it.scoped("an absolute path is refused", () =>
        Effect.gen(function*() {
          const dir = yield* folder(OUTSIDE)
          const target = dir.at("secret.csv")
          const { error, spec } = yield* refusal({ [SPEC]: include(target) })
          expectInvalid(error, {
            path: spec,
            key: "axes.a",
            value: JSON.stringify(`@file:${target}`),
            reason: "an include must be a path relative to the spec's folder",
            hint: "absolute paths are refused"
          })
        }))

      it.scoped("a symlink inside the folder pointing outside is refused", () =>
        Effect.gen(function*() {
          const dir = yield* folder({ [SPEC]: include("levels.csv"), ...OUTSIDE })
          symlinkSync(dir.at("secret.csv"), dir.at("spec/levels.csv"))
          const error = yield* Effect.flip(parseSpec(dir.at(SPEC)))
          expectInvalid(error, {
            path: dir.at(SPEC),
            key: "axes.a",
            value: "\"@file:levels.csv\"",
            reason: "an include may not leave the spec's folder",
            hint: new RegExp(`resolves to ${dir.at("secret.csv")}`)
          })
        }))

      it.scoped("a wider include root allows `../x.csv`", () =>
        Effect.gen(function*() {
          const dir = yield* folder({ [SPEC]: include("../secret.csv"), ...OUTSIDE })
          const spec = yield* parseSpec(dir.at(SPEC), { includeRoot: dir.root })
          expect(spec.axes).toEqual([{ name: "a", levels: ["x"], derived: false, include: "@file:../secret.csv" }])
          expect(spec.includes.map((i) => i.path)).toEqual(["../secret.csv"])
        }))

      it.scoped("a wider include root still refuses what lies beyond it", () =>
        Effect.gen(function*() {
          const path = yield* Path.Path
          const elsewhere = yield* folder(OUTSIDE)
          const dir = yield* folder({})
          const rel = path.relative(dir.at("spec"), elsewhere.at("secret.csv"))
          yield* Effect.orDie(FileSystem.FileSystem.pipe(
            Effect.flatMap((fs) => fs.writeFileString(dir.at(SPEC), include(rel)))
          ))
          const error = yield* Effect.flip(parseSpec(dir.at(SPEC), { includeRoot: dir.root }))
          expectInvalid(error, {
            path: dir.at(SPEC),
            key: "axes.a",
            value: JSON.stringify(`@file:${rel}`),
            reason: "an include may not leave the spec's folder",
            hint: `it resolves to ${elsewhere.at("secret.csv")}, outside ${dir.root}; ${WIDEN}`
          })
        }))
    })

    describe("includes that work", () => {
      it.scoped("a CSV with BOM, CRLF and a quoted comma", () =>
        Effect.gen(function*() {
          const { rows, spec } = yield* rowsOf(include("pairs.csv"), {
            "spec/pairs.csv": "\ufefftemplate,note\r\nt1,\"a, b\"\r\nt2,plain\r\n"
          })
          expect(rows).toEqual([{ a: ["t1", "a, b"] }, { a: ["t2", "plain"] }])
          expect(spec.includes.map((i) => i.path)).toEqual(["pairs.csv"])
        }))

      it.scoped("a .txt include: stripped, non-empty lines", () =>
        Effect.gen(function*() {
          const { rows } = yield* rowsOf(include("levels.txt"), { "spec/levels.txt": "  one \n\n two\r\nthree\n   \n" })
          expect(rows).toEqual([{ a: "one" }, { a: "two" }, { a: "three" }])
        }))

      it.scoped("a .yaml include keeps YAML types", () =>
        Effect.gen(function*() {
          const { rows } = yield* rowsOf(include("levels.yaml"), { "spec/levels.yaml": "- 1\n- '1'\n- x\n- x\n" })
          expect(rows).toEqual([{ a: 1 }, { a: "1" }, { a: "x" }])
        }))
    })
  })

  describe("rules", () => {
    it.scoped("a subset naming an unknown axis suggests the axis", () =>
      Effect.gen(function*() {
        const { error, spec } = yield* compileRefusal(
          "axes:\n  alpha: [x, y]\nrules:\n  subsets:\n    alpah: [x]\n" + NO_FIELDS
        )
        expectInvalid(error, {
          path: spec,
          key: "rules.subsets.alpah",
          value: "\"alpah\"",
          hint: "did you mean \"alpha\"?"
        })
      }))

    it.scoped("a subset that removes every level", () =>
      Effect.gen(function*() {
        const { error, spec } = yield* compileRefusal(
          "axes:\n  a: [x, y]\nrules:\n  subsets:\n    a: [z]\n" + NO_FIELDS
        )
        expectInvalid(error, { path: spec, key: "rules.subsets.a", value: "[\"z\"]", reason: "keeps no level of a" })
      }))

    it.scoped("subset values that are not levels only warn", () =>
      Effect.gen(function*() {
        const dir = yield* folder({
          [SPEC]: "axes:\n  a: [x, y, z]\nrules:\n  subsets:\n    a: [z, w, x]\n" + NO_FIELDS
        })
        const spec = yield* parseSpec(dir.at(SPEC))
        const plan = yield* layoutDesign(spec)
        expect(plan.levels).toEqual([["x", "z"]])
        expect(plan.warnings).toHaveLength(1)
        expect(plan.warnings[0]).toContain(dir.at(SPEC))
        expect(plan.warnings[0]).toContain("rules.subsets.a")
        expect(plan.warnings[0]).toContain("\"w\"")
      }))

    it.scoped("a tie over an unknown axis", () =>
      Effect.gen(function*() {
        const { error, spec } = yield* compileRefusal(
          "axes:\n  a: [x]\n  b: [x]\nrules:\n  ties:\n    t: [a, bb]\n" + NO_FIELDS
        )
        expectInvalid(error, { path: spec, key: "rules.ties.t", value: "\"bb\"", hint: "did you mean \"b\"?" })
      }))

    it.scoped("a tie whose axes share no level", () =>
      Effect.gen(function*() {
        const { error, spec } = yield* compileRefusal(
          "axes:\n  a: [x]\n  b: [y]\nrules:\n  ties:\n    t: {axes: [a, b]}\n" + NO_FIELDS
        )
        expectInvalid(error, {
          path: spec,
          key: "rules.ties.t",
          value: "[\"a\",\"b\"]",
          reason: "the tied axes share no level"
        })
      }))

    const PAIR_AXES = "axes:\n  a: [x, w]\n  b: [y, z]\nrules:\n  pairs:\n"
    const pairSpec = (payload: string) => `${PAIR_AXES}    p: ${payload}\n${NO_FIELDS}`

    it.scoped("a pair with left == right", () =>
      Effect.gen(function*() {
        const { error, spec } = yield* compileRefusal(pairSpec("{left: a, right: a, allowed: [[x, x]]}"))
        expectInvalid(error, {
          path: spec,
          key: "rules.pairs.p",
          value: "\"a\"",
          reason: "left and right must name different axes"
        })
      }))

    it.scoped("a pair with nothing allowed", () =>
      Effect.gen(function*() {
        const { error, spec } = yield* compileRefusal(pairSpec("{left: a, right: b, allowed: []}"))
        expectInvalid(error, { path: spec, key: "rules.pairs.p.allowed", reason: "allowed lists no pair" })
      }))

    it.scoped("a pair value outside the axis's domain", () =>
      Effect.gen(function*() {
        const { error, spec } = yield* compileRefusal(pairSpec("{left: a, right: b, allowed: [[x, y], [x, q]]}"))
        expectInvalid(error, {
          path: spec,
          key: "rules.pairs.p.allowed[1]",
          value: "\"q\"",
          reason: "right value is not a level of b"
        })
      }))

    it.scoped("a pair value outside the domain, from an included file, names the file", () =>
      Effect.gen(function*() {
        const dir = yield* folder({
          [SPEC]: pairSpec("{left: a, right: b, allowed: '@file:pairs.csv'}"),
          "spec/pairs.csv": "a,b\nx,y\nv,z\n"
        })
        const error = yield* Effect.flip(Effect.flatMap(parseSpec(dir.at(SPEC)), (spec) => compileDesign(spec)))
        expectInvalid(error, {
          path: dir.at(SPEC),
          key: "rules.pairs.p.allowed[1]",
          value: "\"v\"",
          reason: "left value is not a level of a",
          hint: "values from @file:pairs.csv"
        })
      }))

    it.scoped("a pair entry that is not a 2-list", () =>
      Effect.gen(function*() {
        const { error, spec } = yield* compileRefusal(pairSpec("{left: a, right: b, allowed: [[x, y], x]}"))
        expectInvalid(error, {
          path: spec,
          key: "rules.pairs.p.allowed[1]",
          value: "\"x\"",
          reason: "each allowed entry must be a [left, right] pair"
        })
        const triple = yield* compileRefusal(pairSpec("{left: a, right: b, allowed: [[x, y, z]]}"))
        expectInvalid(triple.error, {
          path: triple.spec,
          key: "rules.pairs.p.allowed[0]",
          value: "[\"x\",\"y\",\"z\"]"
        })
      }))

    it.scoped("an unbalanced pair with balance: left", () =>
      Effect.gen(function*() {
        const { error, spec } = yield* compileRefusal(
          pairSpec("{left: a, right: b, allowed: [[x, y], [x, z], [w, y]], balance: left}")
        )
        expectInvalid(error, {
          path: spec,
          key: "rules.pairs.p.balance",
          reason: "unbalanced left side: \"x\"×2, \"w\"×1",
          hint: "every value on a balanced side must occur equally often"
        })
      }))

    it.scoped("a balanced pair compiles", () =>
      Effect.gen(function*() {
        const { rows } = yield* rowsOf(
          pairSpec("{left: a, right: b, allowed: [[x, y], [x, z], [w, y], [w, z]], balance: both}")
        )
        expect(rows).toHaveLength(4)
      }))

    it.scoped("a tuple item of the wrong arity", () =>
      Effect.gen(function*() {
        const { error, spec } = yield* compileRefusal(
          "rules:\n  tuples:\n    t: {axes: [a, b], items: [[x, y], [x]]}\n" + NO_FIELDS
        )
        expectInvalid(error, {
          path: spec,
          key: "rules.tuples.t.items[1]",
          value: "[\"x\"]",
          reason: "each item must list 2 values (a, b)"
        })
      }))

    it.scoped("a tuple value outside the (subset) domain", () =>
      Effect.gen(function*() {
        const { error, spec } = yield* compileRefusal(
          "rules:\n  subsets:\n    a: [x]\n  tuples:\n    t: {axes: [a, b], items: [[x, y], [z, w]]}\n" + NO_FIELDS
        )
        expectInvalid(error, {
          path: spec,
          key: "rules.tuples.t.items[1][0]",
          value: "\"z\"",
          reason: "value is not a level of a"
        })
      }))

    it.scoped("an axis both declared and tuple-bound", () =>
      Effect.gen(function*() {
        const { error, spec } = yield* compileRefusal(
          "axes:\n  a: [x]\n  c: [q]\nrules:\n  tuples:\n    t: {axes: [b, a], items: [[y, x]]}\n" + NO_FIELDS
        )
        expectInvalid(error, {
          path: spec,
          key: "rules.tuples.t.axes[1]",
          value: "\"a\"",
          reason: /may not be declared under axes/,
          hint: "remove axes.a"
        })
      }))

    const NAME_CLASH = "a rule's name must differ from every axis"

    it.scoped("a pair named like an existing axis", () =>
      Effect.gen(function*() {
        const { error, spec } = yield* compileRefusal(
          "axes:\n  a: [x]\n  b: [y]\n  c: [z]\nrules:\n  pairs:\n" +
            "    c: {left: a, right: b, allowed: [[x, y]]}\n" + NO_FIELDS
        )
        expectInvalid(error, { path: spec, key: "rules.pairs.c", value: "\"c\"", reason: NAME_CLASH })
      }))

    it.scoped("a tuple named like an existing axis", () =>
      Effect.gen(function*() {
        const { error, spec } = yield* compileRefusal(
          "axes:\n  c: [z]\nrules:\n  tuples:\n    c: {axes: [a, b], items: [[x, y]]}\n" + NO_FIELDS
        )
        expectInvalid(error, { path: spec, key: "rules.tuples.c", value: "\"c\"", reason: NAME_CLASH })
      }))
  })

  describe("compiling and reading the design", () => {
    it.scoped("more rows than maxRows", () =>
      Effect.gen(function*() {
        const { error, spec } = yield* compileRefusal("axes:\n  a: [x, y]\n  b: [1, 2, 3]\n" + NO_FIELDS, {
          maxRows: 5
        })
        expectInvalid(error, {
          path: spec,
          reason: "the design would have 6 rows, more than the limit of 5",
          hint: /--max-rows/
        })
      }))

    it.scoped("maxRows equal to the row count is fine", () =>
      Effect.gen(function*() {
        const dir = yield* folder({ [SPEC]: "axes:\n  a: [x, y]\n  b: [1, 2, 3]\n" + NO_FIELDS })
        const design = yield* compileDesign(yield* parseSpec(dir.at(SPEC)), { maxRows: 6 })
        expect(design.size).toBe(6)
      }))

    it.scoped("a fractional seed (a negative one shuffles as its absolute value: test/dsl/Parity.test.ts)", () =>
      Effect.gen(function*() {
        const fraction = yield* compileRefusal("axes:\n  a: [x, y]\n" + NO_FIELDS, { seed: 1.5 })
        expectInvalid(fraction.error, { path: fraction.spec, value: "1.5" })
      }))

    const designSpec = (extra: string) =>
      Effect.gen(function*() {
        const dir = yield* folder({ [SPEC]: `axes:\n${DESIGN_AXES}\n${extra}${NO_FIELDS}` })
        const spec = yield* parseSpec(dir.at(SPEC))
        return { spec, design: yield* compileDesign(spec) }
      })

    it.scoped("a design lacking a required field", () =>
      Effect.gen(function*() {
        const { design, spec } = yield* designSpec("")
        const error = yield* Effect.flip(definitionFromDesignRows(design, { source: spec.source }))
        expectInvalid(error, { path: spec.source, key: "rows[0].essay_llm", reason: "missing required field" })
      }))

    it.scoped("a replicate of 0", () =>
      Effect.gen(function*() {
        const { design } = yield* designSpec("  essay_llm: [m2]\n  draft_replicate: [1, 0]\n")
        const error = yield* Effect.flip(definitionFromDesignRows(design))
        expectInvalid(error, {
          path: "<design rows>",
          key: "rows[1].draft_replicate",
          value: "\"0\"",
          reason: "replicate must be a whole number of at least 1"
        })
      }))

    it.scoped("a replicate that is not a number", () =>
      Effect.gen(function*() {
        const { design, spec } = yield* designSpec("  essay_llm: [m2]\n  essay_rep: [x]\n")
        const error = yield* Effect.flip(definitionFromDesignRows(design, { source: spec.source }))
        expectInvalid(error, {
          path: spec.source,
          key: "rows[0].essay_rep",
          value: "\"x\"",
          reason: "replicate must be a whole number of at least 1"
        })
      }))

    it.scoped("a complete design yields a definition", () =>
      Effect.gen(function*() {
        const { design } = yield* designSpec("  essay_llm: [m2]\n  draft_replicate: [1, '2']\n")
        const definition = yield* definitionFromDesignRows(design)
        expect(definition.drafts.map((d) => d.replicate)).toEqual([1, 2])
      }))
  })
})
