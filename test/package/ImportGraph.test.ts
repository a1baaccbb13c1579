import { describe, expect, it } from "@effect/vitest"
import { build } from "esbuild"
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
