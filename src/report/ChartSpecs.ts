import type { TopLevelSpec } from "vega-lite"
import type { AxisBalance, Coupling, LevelMark } from "./Balance.js"
import type { Funnel } from "./ReportModel.js"

/** Okabe & Ito's palette, safe for the common color-vision deficiencies. */
export const OKABE_ITO = [
  "#0072B2",
  "#E69F00",
  "#009E73",
  "#CC79A7",
  "#56B4E9",
  "#D55E00",
  "#F0E442",
  "#000000"
] as const

/** A chart of the page: its Vega-Lite spec, and the same data as a table (the text alternative). */
export interface Chart {
  readonly id: string
  readonly title: string
  /** One or two sentences saying what the chart shows and what stands out. */
  readonly description: string
  readonly spec: TopLevelSpec
  readonly table: {
    readonly columns: ReadonlyArray<string>
    readonly rows: ReadonlyArray<ReadonlyArray<string | number>>
  }
}

/**
 * Above this many levels an axis is charted as a distribution (levels per count), not a bar per level;
 * a balanced axis already above `MAX_BALANCED_BARS` (its one count is the whole story).
 */
export const MAX_BARS = 60
export const MAX_BALANCED_BARS = 20
/** Heatmaps show at most this many levels per side (the table fallback has every cell). */
export const MAX_HEATMAP_SIDE = 40

const MARK_LABELS: Readonly<Record<LevelMark, string>> = {
  usual: "the usual count",
  more: "more than usual",
  fewer: "fewer than usual"
}
const markScale = { domain: Object.values(MARK_LABELS), range: [OKABE_ITO[0], OKABE_ITO[1], OKABE_ITO[5]] }

const base = {
  $schema: "https://vega.github.io/schema/vega-lite/v6.json",
  background: "white",
  config: {
    font: "sans-serif",
    axis: { labelFontSize: 11, titleFontSize: 12, labelLimit: 380 },
    legend: { labelFontSize: 11, titleFontSize: 12, orient: "bottom" },
    title: { fontSize: 13, anchor: "start" }
  }
} as const

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`

/** The stage funnel: members per stage, and what the store has of them. */
export const funnelChart = (funnel: Funnel): Chart => {
  const values = funnel.stages.flatMap((s) =>
    funnel.measures.map((m) => ({ stage: s.stage, measure: m.label, count: s.values[m.key] }))
  )
  const sentence = funnel.stages.map((s) => `${s.values.members} ${s.stage}s`).join(" → ")
  return {
    id: "funnel",
    title: "Stage funnel",
    description: `Generations per stage: ${sentence}. ${
      funnel.built
        ? "Bars per stage: " + funnel.measures.map((m) => m.label).join(", ") + "."
        : "Not built: only members and the LLM calls a first run makes."
    }`,
    spec: {
      ...base,
      title: "Generations per stage",
      data: { values },
      width: 460,
      height: { step: 13 },
      encoding: {
        y: { field: "stage", type: "nominal", sort: null, title: null },
        yOffset: { field: "measure", type: "nominal", sort: null },
        x: { field: "count", type: "quantitative", title: "generations" }
      },
      layer: [
        {
          mark: { type: "bar" },
          encoding: {
            color: {
              field: "measure",
              type: "nominal",
              sort: null,
              title: null,
              scale: { domain: funnel.measures.map((m) => m.label), range: OKABE_ITO.slice(0, funnel.measures.length) }
            }
          }
        },
        {
          mark: { type: "text", align: "left", dx: 3, fontSize: 10 },
          encoding: { text: { field: "count", type: "quantitative" } }
        }
      ]
    } as TopLevelSpec,
    table: {
      columns: ["stage", ...funnel.measures.map((m) => m.label)],
      rows: funnel.stages.map((s) => [s.stage, ...funnel.measures.map((m) => s.values[m.key])])
    }
  }
}

const balanceSentence = (b: AxisBalance): string => {
  if (b.balanced) return `Balanced: each of the ${plural(b.levels.length, "level")} gets ${b.usual} ${b.stage}s.`
  const off = b.levels.filter((l) => l.mark !== "usual")
  const shown = off.slice(0, 5).map((l) => `${l.level} (${l.count})`).join(", ")
  const more = off.length > 5 ? ", …" : ""
  return `Unbalanced: ${off.length} of ${b.levels.length} levels differ from the usual ${b.usual} ${b.stage}s: ` +
    `${shown}${more}.`
}

/** How many generations of a stage each level of an axis gets, levels off the usual count in other colors. */
export const balanceChart = (b: AxisBalance, id: string): Chart => {
  const table = {
    columns: ["level", `${b.stage}s`, "compared with the usual count"],
    rows: b.levels.map((l) => [l.level, l.count, MARK_LABELS[l.mark]])
  }
  const title = `${b.axis}: ${b.stage}s per level`
  if (b.levels.length > (b.balanced ? MAX_BALANCED_BARS : MAX_BARS)) {
    const perCount = new Map<number, number>()
    for (const l of b.levels) perCount.set(l.count, (perCount.get(l.count) ?? 0) + 1)
    const values = [...perCount].sort(([a], [c]) => a - c).map(([count, levels]) => ({ count, levels }))
    return {
      id,
      title,
      description: `${plural(b.levels.length, "level")}, charted as how many levels get each count. ${
        balanceSentence(b)
      }`,
      spec: {
        ...base,
        title: `${b.axis}: levels per number of ${b.stage}s`,
        data: { values },
        width: 460,
        mark: { type: "bar", color: b.balanced ? OKABE_ITO[0] : OKABE_ITO[1] },
        encoding: {
          x: { field: "count", type: "ordinal", title: `${b.stage}s per level` },
          y: { field: "levels", type: "quantitative", title: "levels" }
        }
      } as TopLevelSpec,
      table
    }
  }
  const values = b.levels.map((l) => ({ level: l.level, count: l.count, mark: MARK_LABELS[l.mark] }))
  return {
    id,
    title,
    description: balanceSentence(b),
    spec: {
      ...base,
      title,
      data: { values },
      width: 320,
      height: { step: 18 },
      encoding: {
        y: { field: "level", type: "nominal", sort: null, title: b.axis },
        x: { field: "count", type: "quantitative", title: `${b.stage}s` }
      },
      layer: [
        { mark: "bar", encoding: { color: { field: "mark", type: "nominal", title: null, scale: markScale } } },
        {
          mark: { type: "text", align: "left", dx: 3, fontSize: 11 },
          encoding: { text: { field: "count", type: "quantitative" } }
        }
      ]
    } as TopLevelSpec,
    table
  }
}

const side = (names: ReadonlyArray<string>): string => names.join(" · ")

/** The coupled levels of a pair, tie or tuple as a heatmap; cells off the usual count outlined. */
export const couplingChart = (c: Coupling, id: string): Chart => {
  const lefts = [...new Set(c.cells.map((x) => x.left))]
  const rights = [...new Set(c.cells.map((x) => x.right))]
  const keepLeft = new Set(lefts.slice(0, MAX_HEATMAP_SIDE))
  const keepRight = new Set(rights.slice(0, MAX_HEATMAP_SIDE))
  const shown = c.cells.filter((x) => keepLeft.has(x.left) && keepRight.has(x.right))
  const cut = shown.length < c.cells.length
    ? ` The heatmap shows the first ${MAX_HEATMAP_SIDE} levels per side; the table has all ${c.cells.length} cells.`
    : ""
  const off = c.cells.filter((x) => x.mark !== "usual")
  const verdict = c.balanced
    ? `Balanced: each of the ${plural(c.cells.length, "combination")} present gets ${c.usual} ${c.stage}s.`
    : `Unbalanced: ${off.length} of ${c.cells.length} combinations differ from the usual ${c.usual} ${c.stage}s ` +
      "(outlined)."
  const title = `${c.rule} ${c.name}: ${side(c.left)} × ${side(c.right)} (${c.stage}s)`
  const max = shown.reduce((m, x) => Math.max(m, x.count), 0)
  return {
    id,
    title,
    description: `${verdict} Empty cells: combinations the membership does not have.${cut}`,
    spec: {
      ...base,
      title,
      data: { values: shown.map((x) => ({ ...x, off: x.mark !== "usual" })) },
      width: { step: 34 },
      height: { step: 22 },
      encoding: {
        y: { field: "left", type: "nominal", sort: null, title: side(c.left) },
        x: { field: "right", type: "nominal", sort: null, title: side(c.right), axis: { labelAngle: -40 } }
      },
      layer: [
        {
          mark: { type: "rect" },
          encoding: {
            color: {
              field: "count",
              type: "quantitative",
              title: `${c.stage}s`,
              scale: { scheme: "viridis", domainMin: 0 }
            }
          }
        },
        {
          transform: [{ filter: "datum.off" }],
          mark: { type: "rect", fill: null, stroke: "#000000", strokeWidth: 2.5, strokeDash: [4, 2] }
        },
        {
          mark: { type: "text", fontSize: 10 },
          encoding: {
            text: { field: "count", type: "quantitative" },
            color: { condition: { test: `datum.count < ${max} * 0.55`, value: "white" }, value: "black" }
          }
        }
      ]
    } as TopLevelSpec,
    table: {
      columns: [side(c.left), side(c.right), `${c.stage}s`, "compared with the usual count"],
      rows: c.cells.map((x) => [x.left, x.right, x.count, MARK_LABELS[x.mark]])
    }
  }
}
