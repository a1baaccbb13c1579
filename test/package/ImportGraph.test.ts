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

/**
 * cli/ holds commands and presentation: it imports the package root (`../index.js`), its own files and
 * packages. The internals it still reaches are listed here, each for a reason, so the list only shrinks.
 */
const CLI_INTERNALS: Readonly<Record<string, ReadonlyArray<string>>> = {
  "Cli.ts": [
    "../domain/PythonText.js", // int() of a --seed text, as Python reads it
    "../domain/TerminalText.js", // escaping what is echoed to a terminal
    "../http/Listen.js", // `cohort serve`'s defaults, from the HTTP entry point
    "../http/RequestBody.js",
    "../layers/AtomicFile.js" // the ChunkSource type of --out
  ],
  "Output.ts": ["../layers/AtomicFile.js"],
  "Report.ts": ["../domain/TerminalText.js", "../errors/ErrorTags.js"],
  "ReportCommand.ts": ["../report/CohortReport.js"] // CLI only: its charts load a bundle of their own, lazily
}

describe("cli/'s imports", () => {
  it("are the package root, its own files and packages, besides the listed internals", () => {
    const dir = fileURLToPath(new URL("../../src/cli/", import.meta.url))
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
      const text = fs.readFileSync(path.join(dir, file), "utf8")
      const internals = [...text.matchAll(/^(?:import|export)[^"]*?from "(\.\.\/[^"]+)"/gms)]
        .map((m) => m[1]!)
        .filter((target) => target !== "../index.js")
      expect({ file, internals: [...new Set(internals)].sort() }).toEqual({
        file,
        internals: [...(CLI_INTERNALS[file] ?? [])].sort()
      })
    }
  })
})
