import { Effect } from "effect"
import { existsSync } from "node:fs"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import type { TopLevelSpec } from "vega-lite"

type Renderer = typeof import("./RenderCharts.js")

/**
 * Vega is loaded on demand, only by `cohort report`. The CLI bundle (dist/cli.cjs) has it in a bundle
 * of its own beside it, RenderCharts.cjs (required: the bundle runs in a vm.Script, which has no
 * dynamic import); compiled or TypeScript sources import the module itself.
 */
const loadRenderer = async (): Promise<Renderer> => {
  const bundled = new URL("./RenderCharts.cjs", import.meta.url)
  if (bundled.protocol === "file:" && existsSync(fileURLToPath(bundled))) {
    return createRequire(import.meta.url)(fileURLToPath(bundled)) as Renderer
  }
  return await import("./RenderCharts.js")
}

/** Vega-Lite specs rendered to static SVG (a failure of Vega's is a defect: the specs are ours). */
export const renderCharts = (specs: ReadonlyArray<TopLevelSpec>): Effect.Effect<Array<string>> =>
  Effect.promise(async () => (await loadRenderer()).renderSvgs(specs))
