import { describe, expect, it } from "@effect/vitest"
import { Layer } from "effect"
import * as fs from "node:fs"
import { fileURLToPath } from "node:url"
import ts from "typescript"

/**
 * The public API: the names the built entry points export (an explicit list, so that a name cannot
 * join or leave it unnoticed), each documented in README's library section and in JSDoc for readers of
 * the declarations.
 */

const INDEX = fileURLToPath(new URL("../../src/index.ts", import.meta.url))
const HTTP_INDEX = fileURLToPath(new URL("../../src/http/index.ts", import.meta.url))
const DIST = new URL("../../dist/index.js", import.meta.url).href
const DIST_HTTP = new URL("../../dist/http/index.js", import.meta.url).href
const README = fs.readFileSync(fileURLToPath(new URL("../../README.md", import.meta.url)), "utf8")

/** What `import "cohort-membership-builder"` gives at run time, sorted. */
const LIBRARY_EXPORTS = [
  "ArtifactWriteFailed",
  "BuildProgress",
  "CatalogBundleLoader",
  "CatalogIncomplete",
  "CatalogInvalid",
  "CatalogMissing",
  "CohortDefinition",
  "CohortSpecRepository",
  "ConstraintKind",
  "CoverageGap",
  "CsvCatalogBundleLoader",
  "DEFAULT_MAX_ROWS",
  "DataRootLayer",
  "DiskRegistryFactory",
  "DraftPlanEntry",
  "ERROR_TAGS",
  "EssayPlanEntry",
  "EvaluationPlanEntry",
  "FileSystemArtifactStore",
  "FileSystemSpecRepository",
  "GenIdHasher",
  "GenerationMetadataMissing",
  "GensStore",
  "IdCollision",
  "InMemoryArtifactStore",
  "InMemoryCatalogBundleLoader",
  "InMemoryRegistryFactory",
  "InMemorySpecRepository",
  "InvalidConstraint",
  "InvalidSpec",
  "Locked",
  "MEMBERSHIP_COLUMNS",
  "MembershipArtifactStore",
  "MembershipInvalid",
  "PersistedArtifacts",
  "PyFloat",
  "PyRandom",
  "PyTimestamp",
  "RegistryFactory",
  "STAGES",
  "SpecFile",
  "SpecNotFound",
  "WorkerPool",
  "WorkingDirectoryMissing",
  "buildCohortMembership",
  "catalogAndCoverageProblems",
  "catalogBundle",
  "cohortDiff",
  "cohortProblems",
  "cohortSpecFromObject",
  "cohortSpecProblems",
  "cohortStatus",
  "collapseWarnings",
  "compileDesign",
  "computeGenId",
  "dataRootLayer",
  "dataRootLive",
  "definitionFromDesignRows",
  "definitionOfSpec",
  "designChunks",
  "escapeControls",
  "estimateRows",
  "formatCount",
  "generateMembership",
  "layoutDesign",
  "loadMembers",
  "makeInMemoryRegistry",
  "membershipSource",
  "membershipStream",
  "membershipTable",
  "parseSpec",
  "planCohort",
  "planDesign",
  "planRegistry",
  "planSpecFile",
  "planWorkerPool",
  "purgeCohort",
  "pyIntOfText",
  "reuseGenerations",
  "rowAt",
  "rowsOf",
  "specJsonSchema",
  "specProblems",
  "streamMembership",
  "validateCohort",
  "withFirstProblem",
  "writeOutput"
]

/** What `import "cohort-membership-builder/http"` gives at run time, sorted. */
const HTTP_EXPORTS = [
  "BuildResultBody",
  "CohortApi",
  "CohortApiHandlers",
  "CohortBuildGuard",
  "CohortHandlers",
  "CohortHttpRoutes",
  "CohortHttpServer",
  "CohortServiceConfig",
  "CohortsGroup",
  "DEFAULT_HOST",
  "DEFAULT_MAX_BODY_BYTES",
  "ERROR_STATUS",
  "MAX_PREVIEW_ROWS",
  "MembershipRowBody",
  "OPENAPI_PATH",
  "SpecObject",
  "SpecPlan",
  "SpecValidation",
  "SpecsGroup",
  "runCohortHttpServer",
  "toErrorBody"
]

/** Every export of an entry point's source (types too), with its JSDoc text (one typecheck per entry). */
const exportsOf = (entry: string) => {
  let known = exportsByEntry.get(entry)
  if (known === undefined) exportsByEntry.set(entry, known = readExports(entry))
  return known
}
const exportsByEntry = new Map<string, ReadonlyArray<{ readonly name: string; readonly text: string }>>()

const readExports = (entry: string) => {
  const program = ts.createProgram([entry], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true
  })
  const checker = program.getTypeChecker()
  const module = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!
  return checker.getExportsOfModule(module).map((symbol) => {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol
    const docs = ts.displayPartsToString(target.getDocumentationComment(checker))
    const tags = target.getJsDocTags(checker).map((tag) => ts.displayPartsToString(tag.text)).join(" ")
    return { name: symbol.name, text: `${docs} ${tags}`.trim() }
  })
}

/** The README text from the heading `start` to the next heading `end`. */
const sectionOf = (start: string, end: string): string => {
  const from = README.indexOf(start)
  expect(from).toBeGreaterThan(-1)
  return README.slice(from, README.indexOf(end, from + start.length))
}
const LIBRARY_SECTION = sectionOf("\n## The library\n", "\n### The HTTP service\n")
const HTTP_SECTION = sectionOf("\n### The HTTP service\n", "\n## ")

/**
 * The names a section's group list gives (`- **Group**: …` items): every code span in them names an
 * export, by itself or as `X.layer(…)`.
 */
const listedIn = (section: string): Array<string> => {
  const items = [...section.matchAll(/^- \*\*[\s\S]*?(?=\n- |\n\n|(?![\s\S]))/gm)].map((m) => m[0])
  expect(items.length).toBeGreaterThan(0)
  return [...new Set(items.flatMap((item) => [...item.matchAll(/`([^`]+)`/g)].map((m) => m[1]!)))]
    .map((span) => /^[A-Za-z_$][\w$]*/.exec(span)?.[0] ?? span)
}

/** The names a section's examples import from `from`. */
const importedIn = (section: string, from: string): Array<string> =>
  [...section.matchAll(new RegExp(`import \\{([^}]*)\\} from "${from}"`, "g"))]
    .flatMap((m) => m[1]!.split(","))
    .map((name) => name.trim())
    .filter((name) => name !== "")

describe("the exports of the built package", () => {
  it("dist/index.js exports exactly the listed names", async () => {
    const library = await import(DIST)
    expect(Object.keys(library).sort()).toEqual(LIBRARY_EXPORTS)
  })

  it("dist/http/index.js exports exactly the listed names", async () => {
    const http = await import(DIST_HTTP)
    expect(Object.keys(http).sort()).toEqual(HTTP_EXPORTS)
  })

  it("every name README's library section lists or imports is exported, and every export is listed", () => {
    const declared = exportsOf(INDEX).map((e) => e.name)
    const listed = listedIn(LIBRARY_SECTION)
    expect(listed.filter((name) => !declared.includes(name))).toEqual([])
    expect(declared.filter((name) => !listed.includes(name))).toEqual([])
    const imported = importedIn(LIBRARY_SECTION, "cohort-membership-builder")
    expect(imported.length).toBeGreaterThan(5)
    expect(imported.filter((name) => !LIBRARY_EXPORTS.includes(name))).toEqual([])
  })

  it("every name README's HTTP section lists or imports is exported by the http entry point, and all are listed", () => {
    const declared = exportsOf(HTTP_INDEX).map((e) => e.name)
    const listed = listedIn(HTTP_SECTION)
    expect(listed.filter((name) => !declared.includes(name))).toEqual([])
    expect(declared.filter((name) => !listed.includes(name))).toEqual([])
    expect(importedIn(HTTP_SECTION, "cohort-membership-builder/http").filter((n) => !HTTP_EXPORTS.includes(n)))
      .toEqual([])
  })

  it("no entry point re-exports with export *", () => {
    for (const file of ["index.ts", "errors/index.ts", "http/index.ts"]) {
      const text = fs.readFileSync(fileURLToPath(new URL(`../../src/${file}`, import.meta.url)), "utf8")
      expect({ file, star: /^export (?:type )?\*/m.test(text) }).toEqual({ file, star: false })
    }
  })
})

describe("the exports of src/index.ts", () => {
  const all = exportsOf(INDEX)

  it("each has JSDoc", () => {
    expect(all.filter((e) => e.text === "").map((e) => e.name)).toEqual([])
  })

  it("none cites the REFERENCE document, which users do not have", () => {
    expect(all.filter((e) => /REFERENCE|§/.test(e.text)).map((e) => e.name)).toEqual([])
  })
})

describe("the layers of the public API", () => {
  it("are each reached as X.layer(…) or X.layer (X.Default for an Effect.Service)", async () => {
    const library = await import(DIST)
    const http = await import(DIST_HTTP)
    const shapes = (entry: Record<string, any>, names: ReadonlyArray<string>) =>
      names.map((name) => {
        const layer = entry[name].layer ?? entry[name].Default
        return {
          name,
          shape: typeof layer === "function" ? "X.layer(…)" : Layer.isLayer(layer) ? "X.layer" : "none"
        }
      })
    expect(shapes(library, [
      "CsvCatalogBundleLoader",
      "DataRootLayer",
      "DiskRegistryFactory",
      "FileSystemArtifactStore",
      "FileSystemSpecRepository",
      "GensStore",
      "InMemoryArtifactStore",
      "InMemoryCatalogBundleLoader",
      "InMemoryRegistryFactory",
      "InMemorySpecRepository"
    ])).toEqual([
      { name: "CsvCatalogBundleLoader", shape: "X.layer(…)" },
      { name: "DataRootLayer", shape: "X.layer(…)" },
      { name: "DiskRegistryFactory", shape: "X.layer" }, // reads only gens/, from the GensStore it requires
      { name: "FileSystemArtifactStore", shape: "X.layer(…)" },
      { name: "FileSystemSpecRepository", shape: "X.layer(…)" },
      { name: "GensStore", shape: "X.layer(…)" },
      { name: "InMemoryArtifactStore", shape: "X.layer" },
      { name: "InMemoryCatalogBundleLoader", shape: "X.layer(…)" },
      { name: "InMemoryRegistryFactory", shape: "X.layer" },
      { name: "InMemorySpecRepository", shape: "X.layer(…)" }
    ])
    expect(shapes(http, [
      "CohortApiHandlers",
      "CohortBuildGuard",
      "CohortHandlers",
      "CohortHttpRoutes",
      "CohortHttpServer",
      "CohortServiceConfig"
    ])).toEqual([
      { name: "CohortApiHandlers", shape: "X.layer(…)" },
      { name: "CohortBuildGuard", shape: "X.layer" },
      { name: "CohortHandlers", shape: "X.layer" },
      { name: "CohortHttpRoutes", shape: "X.layer(…)" },
      { name: "CohortHttpServer", shape: "X.layer(…)" },
      { name: "CohortServiceConfig", shape: "X.layer(…)" }
    ])
  })

  it("keep their older names and shapes as the same layers", async () => {
    const library = await import(DIST)
    const http = await import(DIST_HTTP)
    expect(library.dataRootLayer).toBe(library.DataRootLayer.layer)
    expect(library.dataRootLive).toBe(library.DataRootLayer.layerNode)
    expect(library.InMemoryRegistryFactory).toBe(library.InMemoryRegistryFactory.layer)
    expect(library.InMemoryArtifactStore).toBe(library.InMemoryArtifactStore.layer)
    expect(Layer.isLayer(library.InMemorySpecRepository([]))).toBe(true)
    expect(Layer.isLayer(library.InMemoryCatalogBundleLoader(library.catalogBundle({})))).toBe(true)
    expect(Layer.isLayer(http.CohortHttpRoutes({ dataRoot: "/nowhere" }))).toBe(true)
    expect(Layer.isLayer(http.CohortApiHandlers({ dataRoot: "/nowhere" }))).toBe(true)
  })
})
