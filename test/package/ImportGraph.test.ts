import { describe, expect, it } from "@effect/vitest"
import { build } from "esbuild"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/**
 * What `import "cohort-membership-builder"` loads (the built dist/index.js, as `npm test` builds it):
 * the CLI's dependencies and the barrels that load whole platforms stay out, because each costs
 * start-up time in every embedding program.
 */

const INDEX = fileURLToPath(new URL("../../dist/index.js", import.meta.url))

describe("the library's import graph", () => {
  it("has no @effect/cli, no @effect/platform barrel and no NodeContext", async () => {
    const result = await build({
      entryPoints: [INDEX],
      bundle: true,
      platform: "node",
      format: "esm",
      write: false,
      metafile: true,
      logLevel: "silent",
      outfile: "library.js"
    })
    const inputs = Object.keys(result.metafile.inputs)
    expect(inputs.some((p) => p.includes("node_modules/effect/"))).toBe(true)
    expect(inputs.filter((p) => p.includes("node_modules/@effect/cli/"))).toEqual([])
    expect(inputs.filter((p) => /node_modules\/@effect\/platform\/dist\/esm\/index\.js$/.test(p))).toEqual([])
    expect(inputs.filter((p) => p.endsWith("@effect/platform-node/dist/esm/NodeContext.js"))).toEqual([])
    expect(inputs.filter((p) => p.includes("/dist/cli/"))).toEqual([])
  })
})

/** The package's entry points (package.json `exports`): what cli/ and http/ may import of the rest of src/. */
const ENTRY_POINTS = new Set(["../index.js", "../http/index.js"])

/** The targets in src/ outside `dir` that a file imports (statically, re-exported or with `import()`). */
const internalsOf = (text: string): Array<string> =>
  [...text.matchAll(/(?:^(?:import|export)[^"]*?from\s*|\bimport\(\s*)"(\.\.\/[^"]+)"/gms)]
    .map((m) => m[1]!)
    .filter((target) => !ENTRY_POINTS.has(target))

/** Checks every .ts file of src/<folder>/ against its listed internals (none when unlisted). */
const expectOnlyListed = (folder: string, listed: Readonly<Record<string, ReadonlyArray<string>>>) => {
  const dir = fileURLToPath(new URL(`../../src/${folder}/`, import.meta.url))
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".ts"))
  expect(Object.keys(listed).filter((file) => !files.includes(file))).toEqual([])
  for (const file of files) {
    const internals = internalsOf(fs.readFileSync(path.join(dir, file), "utf8"))
    expect({ file, internals: [...new Set(internals)].sort() }).toEqual({
      file,
      internals: [...(listed[file] ?? [])].sort()
    })
  }
}

/**
 * The in-memory layers run without a disk: nothing they load reads or writes files through `node:fs`
 * (the data-root layers do, for the gens/ store: README "The library"), so they run wherever Effect does.
 * A spec object reusing generations by id is refused without loading the store: dsl/SpecObject reaches
 * lifecycle/ReuseResolver, which takes a `GensStoreService` as a type only.
 */
describe("the in-memory layers' import graph", () => {
  it("loads no module of the package that imports node:fs, and nothing of gens/", async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL("../../dist/layers/InMemoryLayers.js", import.meta.url))],
      bundle: true,
      platform: "node",
      format: "esm",
      write: false,
      metafile: true,
      logLevel: "silent",
      outfile: "in-memory.js"
    })
    const ours = Object.entries(result.metafile.inputs).filter(([p]) => p.startsWith("dist/"))
    expect(ours.some(([p]) => p.endsWith("dist/layers/InMemoryLayers.js"))).toBe(true)
    const withFs = ours
      .filter(([, input]) => input.imports.some((i) => i.path === "node:fs" || i.path === "fs"))
      .map(([p]) => p)
    expect(withFs).toEqual([])
    expect(ours.map(([p]) => p).filter((p) => p.includes("dist/gens/"))).toEqual([])
  })
})

/**
 * cli/ holds commands and presentation: it imports the package's entry points (`../index.js`, and
 * `../http/index.js` on demand), its own files and packages. The internals it still reaches are listed
 * here, each for a reason, so the list only shrinks.
 */
const CLI_INTERNALS: Readonly<Record<string, ReadonlyArray<string>>> = {
  "Cli.ts": [
    // The option definitions run at every start (`--help` too); the package root would initialise the
    // engine and its packages there, so they read these small modules: --seed's int(), --max-rows' default,
    // `cohort serve`'s option defaults (the http entry point would load the HTTP stack).
    "../domain/PythonText.js",
    "../dsl/Limits.js",
    "../http/ServiceDefaults.js",
    // A bad --port's value echoed escaped and cut, before the package root loads.
    "../domain/TerminalText.js"
  ],
  // statusText and diffText list the stages in order; the package root loads when a command runs. Listed
  // ids are cut without splitting a surrogate pair (startWithin), as every echoed value is.
  "LifecycleCommands.ts": ["../domain/Stage.js", "../domain/TerminalText.js"],
  // serve's failure echoes --host and the system's reason escaped and cut, as the errors' messages do.
  "Run.ts": ["../domain/TerminalText.js"],
  // The HTML report is the CLI's alone; from the package root it would load its modules (and arquero's
  // rendering) into every embedding program. Its charts load a bundle of their own, on demand.
  "ReportCommand.ts": ["../report/CohortReport.js"]
}

describe("cli/'s imports", () => {
  it("are the package's entry points, its own files and packages, besides the listed internals", () => {
    expectOnlyListed("cli", CLI_INTERNALS)
  })

  it("see dynamic imports too", () => {
    expect(internalsOf(`const m = yield* Effect.promise(() => import("../report/X.js"))`)).toEqual(["../report/X.js"])
    expect(internalsOf(`import { a } from "../index.js"\nexport { b } from "../domain/B.js"`)).toEqual([
      "../domain/B.js"
    ])
  })
})

/**
 * http/ is the service over the library: it imports the package root, its own files and packages. The
 * internals it still reaches are listed here, each for a reason, so the list only shrinks.
 */
const HTTP_INTERNALS: Readonly<Record<string, ReadonlyArray<string>>> = {
  // Echoed values are cut without splitting a surrogate pair (startWithin), as the errors' messages are.
  "CohortBuildGuard.ts": ["../domain/TerminalText.js"],
  "HttpErrors.ts": ["../domain/TerminalText.js"],
  "CohortHandlers.ts": ["../domain/CohortId.js"], // a path's cohort id checked before any build starts
  // The CSV body streamed by the engine's byte-level encoder, as `cohort plan` writes it.
  "MembershipCsv.ts": ["../engine/ChunkStream.js", "../engine/MembershipSource.js"],
  // A body is read as a spec file's JSON is: strict UTF-8, then Python's json rules.
  "RequestBody.ts": ["../domain/TerminalText.js", "../domain/Utf8.js", "../dsl/PyYaml.js"],
  // A spec object's refusals name its keys and values as a spec file's do (key paths, the @file: prefix).
  "SpecObject.ts": ["../domain/SpecValue.js", "../dsl/Includes.js", "../dsl/ParseSpec.js"]
}

describe("http/'s imports", () => {
  it("are the package root, its own files and packages, besides the listed internals", () => {
    expectOnlyListed("http", HTTP_INTERNALS)
  })
})
