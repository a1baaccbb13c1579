import { describe, expect, it } from "@effect/vitest"
import { fileURLToPath } from "node:url"
import ts from "typescript"

/** The public API as a reader of its declarations sees it: every export documented, for users of the package. */

const INDEX = fileURLToPath(new URL("../../src/index.ts", import.meta.url))

const exportsOfIndex = () => {
  const program = ts.createProgram([INDEX], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true
  })
  const checker = program.getTypeChecker()
  const module = checker.getSymbolAtLocation(program.getSourceFile(INDEX)!)!
  return checker.getExportsOfModule(module).map((symbol) => {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol
    const docs = ts.displayPartsToString(target.getDocumentationComment(checker))
    const tags = target.getJsDocTags(checker).map((tag) => ts.displayPartsToString(tag.text)).join(" ")
    return { name: symbol.name, text: `${docs} ${tags}`.trim() }
  })
}

describe("the exports of src/index.ts", () => {
  const all = exportsOfIndex()

  it("are many (the audit sees the real list)", () => {
    expect(all.length).toBeGreaterThan(100)
    expect(all.map((e) => e.name)).toEqual(
      expect.arrayContaining(["buildCohortMembership", "planCohort", "cohortSpecFromObject", "InvalidSpec"])
    )
  })

  it("each has JSDoc", () => {
    expect(all.filter((e) => e.text === "").map((e) => e.name)).toEqual([])
  })

  it("none cites the REFERENCE document, which users do not have", () => {
    expect(all.filter((e) => /REFERENCE|§/.test(e.text)).map((e) => e.name)).toEqual([])
  })
})
