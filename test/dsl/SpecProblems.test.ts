import { FileSystem, Path } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { layoutDesign } from "../../src/dsl/DesignLayout.js"
import { parseSpec } from "../../src/dsl/ParseSpec.js"
import { cohortSpecProblems, InMemorySpecRepository, specProblems } from "../../src/index.js"

/** Writes a spec (and its includes) to a temp folder; gives its problems, and the one error a build meets. */
const check = (text: string, includes: Record<string, string> = {}) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const dir = yield* fs.makeTempDirectoryScoped({ prefix: "cohort-problems-" })
    for (const [name, content] of Object.entries(includes)) yield* fs.writeFileString(path.join(dir, name), content)
    const file = path.join(dir, "config.yaml")
    yield* fs.writeFileString(file, text)
    const problems = yield* specProblems(file)
    const first = yield* Effect.flip(Effect.flatMap(parseSpec(file), (spec) => layoutDesign(spec)))
    return { problems, first, keys: problems.map((p) => p.key), file }
  })

const THREE = `axes:
  draft_template: [a, b]
  essay_template: "@file:missing.csv"
rules:
  pairs:
    de:
      left: draft_template
      rigth: essay_template
      allowed: [[a, x]]
output:
  field_order: [draft_templte]
`

describe("specProblems: every independent spec error, in spec order", () => {
  it.scoped("three independent errors (an include, a misspelled key, an unknown field name) are three problems", () =>
    Effect.gen(function*() {
      const { first, keys, problems } = yield* check(THREE)
      expect(keys).toEqual(["axes.essay_template", "rules.pairs.de.rigth", "output.field_order[0]"])
      expect(problems.map((p) => p.reason)).toEqual(["included file not found", "unknown key", "names no axis"])
      expect(problems[1]!.hint).toBe(`did you mean "right"?`)
      expect(problems[2]!.hint).toBe(`did you mean "draft_template"?`)
      // A build stops at one of them, as before (schema errors first): the list holds it unchanged.
      expect(first.key).toBe("rules.pairs.de.rigth")
      expect(problems.map((p) => p.message)).toContain(first.message)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("several unknown keys, at the top, in a rule and a section, each with its suggestion; none repeated as 'required'", () =>
    Effect.gen(function*() {
      const { keys, problems } = yield* check(`axes: {a: [1], b: [x]}
rules:
  subset: {a: [1]}
  pairs:
    p: {lefft: a, right: b, allowed: [[1, x]], balanse: left}
outptu: {field_order: [a]}
`)
      expect(keys).toEqual(["rules.subset", "rules.pairs.p.lefft", "rules.pairs.p.balanse", "outptu"])
      expect(problems.map((p) => p.hint)).toEqual([
        `did you mean "subsets"?`,
        `did you mean "left"?`,
        `did you mean "balance"?`,
        `did you mean "output"?`
      ])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("several bad axes and includes: each listed; a field_order name of a bad axis is not an echo", () =>
    Effect.gen(function*() {
      const { keys, problems } = yield* check(
        `axes:
  a: 5
  b: "@file:nope.txt"
  c: "@file:bad.yaml"
  d: [1]
output: {field_order: [a, b, c, d, e]}
`,
        { "bad.yaml": "[unclosed\n" }
      )
      expect(keys).toEqual(["axes.a", "axes.b", expect.stringMatching(/^axes\.c /), "output.field_order[4]"])
      expect(problems[0]!.reason).toContain("must be a list")
      expect(problems[3]!.value).toBe(`"e"`)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("axes or a rule section that is no mapping: what names exist is unknown, so nothing echoes it", () =>
    Effect.gen(function*() {
      const axes = yield* check("axes: [a, b]\nrules: {ties: {t: [a, b]}}\noutput: {field_order: [a, zz]}\n")
      expect(axes.keys).toEqual(["axes"])
      const tuples = yield* check("axes: {a: [1]}\nrules: {tuples: 5}\noutput: {field_order: [a, x]}\n")
      expect(tuples.keys).toEqual(["rules.tuples"])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("rules are applied one by one: each misspelled axis is listed, a rule naming a failed one is skipped", () =>
    Effect.gen(function*() {
      const { first, keys, problems } = yield* check(`axes: {a: [1, 2], b: [x, y], c: [p]}
rules:
  ties:
    t1: [aa, b]
  pairs:
    p1: {left: c, right: bb, allowed: [[p, x]]}
    p2: {left: t1, right: c, allowed: [[1, p]]}
  subsets:
    a: [3]
output: {field_order: [a]}
`)
      expect(keys).toEqual(["rules.ties.t1", "rules.pairs.p1.right", "rules.subsets.a"])
      expect(problems.map((p) => p.value)).toEqual([`"aa"`, `"bb"`, "[3]"])
      expect({ ...first }).toEqual({ ...problems[0]! })
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("an error that leaves nothing to read is the only one: YAML syntax, a top level that is no mapping", () =>
    Effect.gen(function*() {
      const syntax = yield* check("axes: [broken\noutptu: 1\n")
      expect(syntax.problems).toHaveLength(1)
      expect(syntax.problems[0]!.reason).toMatch(/^not valid YAML/)
      expect({ ...syntax.problems[0]! }).toEqual({ ...syntax.first })
      const list = yield* check("- a\n- b\n")
      expect(list.problems.map((p) => p.reason)).toEqual(["the top level must be a mapping"])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("a valid spec has no problems", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "cohort-problems-" })
      const file = path.join(dir, "config.yaml")
      yield* fs.writeFileString(file, "axes: {a: [1]}\noutput: {field_order: [a]}\n")
      expect(yield* specProblems(file)).toEqual([])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("a spec object in the in-memory repository: its problems too (each include it lacks, else the spec's)", () =>
    Effect.gen(function*() {
      const typos = yield* cohortSpecProblems("typos")
      expect(typos.map((p) => [p.path, p.key])).toEqual([
        ["memory://cohorts/typos/spec", "rules.tuples.t.itemz"],
        ["memory://cohorts/typos/spec", "output.field_order[1]"]
      ])
      const includes = yield* cohortSpecProblems("includes")
      expect(includes.map((p) => p.key)).toEqual(["axes.a", "axes.b"])
      expect(includes[0]!.reason).toBe("a spec given as an object has no folder to read includes from")
      expect(yield* cohortSpecProblems("fine")).toEqual([])
    }).pipe(Effect.provide(InMemorySpecRepository([
      {
        cohortId: "typos",
        spec: {
          axes: { a: [1] },
          rules: { tuples: { t: { axes: ["x", "y"], itemz: [[1, 2]] } } },
          output: { field_order: ["a", "b"] }
        }
      },
      { cohortId: "includes", spec: { axes: { a: "@file:a.txt", b: "@file:b.txt" }, output: { field_order: [] } } },
      { cohortId: "fine", spec: { axes: { a: [1] }, output: { field_order: ["a"] } } }
    ]))))
})
