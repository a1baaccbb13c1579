// Vega and Vega-Lite, loaded only by `cohort report` (the CLI bundle keeps them in a file of their own).
import { parse, View } from "vega"
import { compile, type TopLevelSpec } from "vega-lite"

/** Each Vega-Lite spec rendered to a static SVG by Vega's headless renderer (no canvas, no DOM). */
export const renderSvgs = async (specs: ReadonlyArray<TopLevelSpec>): Promise<Array<string>> => {
  const out: Array<string> = []
  for (const spec of specs) {
    const view = new View(parse(compile(spec).spec), { renderer: "none", logLevel: 0 })
    try {
      out.push(await view.toSVG())
    } finally {
      view.finalize()
    }
  }
  return out
}
