import { STAGES } from "../domain/Stage.js"
import type { Chart } from "./ChartSpecs.js"
import { accessibleSvg, html, htmlBlock, SEARCH_SCRIPT, STYLE, table } from "./Html.js"
import type { ReportModel } from "./ReportModel.js"

/** The charts of a page, keyed by where they go, each with its SVG. */
export interface RenderedCharts {
  readonly funnel: RenderedChart
  readonly balance: ReadonlyArray<RenderedChart & { readonly stage: string }>
  readonly couplings: ReadonlyArray<RenderedChart>
}

export interface RenderedChart {
  readonly chart: Chart
  readonly svg: string
}

/** The spec text shown is cut at this many characters (its hash covers the whole file). */
export const MAX_SPEC_CHARS = 200_000

// No request of any kind leaves the page: everything it needs is inline.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"

const figure = ({ chart, svg }: RenderedChart): string =>
  `<figure class="chart" id="chart-${chart.id}">${
    accessibleSvg(svg, `svg-${chart.id}`, chart.title, chart.description)
  }` +
  `<figcaption>${html(chart.description, 2000)}</figcaption>` +
  `<details><summary>Data table: ${html(chart.title)}</summary>${
    table(chart.table.columns, chart.table.rows)
  }</details></figure>`

const fmt = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",")

const funnelSection = (m: ReportModel, charts: RenderedCharts): string => {
  const s = m.status
  const rows = STAGES.map((stage) => {
    const x = s.stages[stage]
    return [stage, x.members, x.withMetadata, x.withRaw, x.withParsed, x.missing, x.llmCalls, x.copyPending, x.shared]
  })
  const byModel = STAGES.flatMap((stage) =>
    Object.entries(s.stages[stage].llmCallsByModel).sort(([a], [b]) => (a < b ? -1 : 1)).map((
      [model, n]
    ) => [stage, model, n])
  )
  const shared = Object.entries(s.sharedWith).map(([c, n]) => [c, n])
  return `<section id="funnel"><h2>Stage funnel</h2>
<p>${
    m.source === "membership"
      ? "Built: counts from membership.csv and the generation files under gens/."
      : "Not built: ids computed from the spec (pure ids, as on an empty store)."
  }
Next run: <strong>${fmt(s.llmCalls)} LLM calls</strong>.</p>
<div class="charts">${figure(charts.funnel)}</div>
${
    table(
      [
        "stage",
        "members",
        "metadata.json",
        "raw.txt",
        "parsed.txt",
        "missing (no parsed.txt)",
        "LLM calls",
        "copy mode pending",
        "shared"
      ],
      rows,
      { id: "status-table" }
    )
  }
${
    byModel.length === 0
      ? ""
      : `<h3>LLM calls of the next run, per model</h3>${table(["stage", "model", "calls"], byModel)}`
  }
${shared.length === 0 ? "" : `<h3>Shared with other cohorts</h3>${table(["cohort", "generations"], shared)}`}
</section>`
}

const balanceSection = (m: ReportModel, charts: RenderedCharts): string => {
  const parts = STAGES.filter((stage) => m.status.stages[stage].members > 0).map((stage) => {
    const single = m.balances.filter((b) => b.stage === stage && b.levels.length === 1)
    const shown = charts.balance.filter((c) => c.stage === stage)
    const off = m.balances.filter((b) => b.stage === stage && !b.balanced).map((b) => b.axis)
    return `<h3>${html(stage)}s</h3>
<p>${
      off.length === 0
        ? `<span class="ok">Balanced</span> on every axis.`
        : `<span class="bad">Unbalanced</span> on ${off.map((a) => `<code>${html(a)}</code>`).join(", ")}.`
    }
${
      single.length === 0
        ? ""
        : ` One level only: ${
          single.map((b) => `<code>${html(b.axis)}</code> = ${html(b.levels[0]!.level)}`).join(", ")
        }.`
    }</p>
<div class="charts">${shown.map(figure).join("\n")}</div>`
  })
  return `<section id="balance"><h2>Balance</h2>
<p>For each design axis and stage: how many generations each level gets (a stage inherits the axes of its parents).
Levels whose count differs from the usual one (the count most levels get) are drawn in other colors.</p>
${parts.join("\n")}</section>`
}

const couplingSection = (charts: RenderedCharts): string =>
  `<section id="couplings"><h2>Pairs, ties and tuples</h2>
${
    charts.couplings.length === 0
      ? "<p>The spec couples no axes (no pairs, ties or tuples the membership carries).</p>"
      : "<p>Coupled levels counted at the deepest stage they reach; outlined cells differ from the usual count.</p>" +
        `<div class="charts">${charts.couplings.map(figure).join("\n")}</div>`
  }
</section>`

const catalogSection = (m: ReportModel): string => {
  const coverage = m.coverage === undefined
    ? "<p>Catalogs not read (see the notes).</p>"
    : table(
      ["check", "catalog", "distinct values used", "listed in catalog", "missing"],
      m.coverage.map((
        c
      ) => [c.check, c.catalog, c.used, c.listed, c.missing.length === 0 ? "none" : c.missing.slice(0, 50).join(", ")]),
      { id: "coverage-table" }
    )
  const gaps = (m.coverage ?? []).filter((c) => c.missing.length > 0).length
  const warnings = m.warnings.length === 0
    ? `<p class="ok">No validation warnings.</p>`
    : `<ol id="warnings-list">${m.warnings.map((w) => `<li>${html(w, 4000)}</li>`).join("\n")}</ol>`
  return `<section id="catalogs"><h2>Catalog coverage</h2>
${
    m.coverage === undefined
      ? ""
      : gaps === 0
      ? `<p class="ok">Every value is in its catalog.</p>`
      : `<p class="bad">${gaps} checks have values missing from their catalog.</p>`
  }
${coverage}
</section>
<section id="warnings"><h2>Validation (${m.warnings.length} warning${m.warnings.length === 1 ? "" : "s"})</h2>
${m.validationError === undefined ? "" : `<p class="bad">The build would fail: ${html(m.validationError, 4000)}</p>`}
${warnings}
${m.notes.length === 0 ? "" : `<h3>Notes</h3><ul>${m.notes.map((n) => `<li>${html(n, 2000)}</li>`).join("")}</ul>`}
</section>`
}

const auditSection = (m: ReportModel): string => {
  const a = m.audit
  const item = (k: string, v: string | undefined) => `<dt>${k}</dt><dd>${v === undefined ? "—" : v}</dd>`
  const catalogs = a.catalogs.map((c) => [c.slice, c.file, c.rows === undefined ? "" : c.rows, c.sha256 ?? ""])
  return `<section id="audit"><h2>Spec and audit</h2><dl>
${item("cohort", `<code>${html(m.cohortId)}</code>`)}
${item("source", `${html(m.source)}: <code>${html(m.path, 2000)}</code>`)}
${item("spec", a.specPath === undefined ? undefined : `<code>${html(a.specPath, 2000)}</code>`)}
${item("spec sha256", a.specSha256 === undefined ? undefined : `<code>${html(a.specSha256)}</code>`)}
${item("built at (membership.csv written)", a.builtAt === undefined ? undefined : html(a.builtAt))}
${item("report run at", html(a.reportTimestamp))}
</dl>
${
    a.includes.length === 0
      ? ""
      : `<h3>Included files</h3>${table(["path", "sha256"], a.includes.map((i) => [i.path, i.sha256]))}`
  }
${
    catalogs.length === 0
      ? ""
      : `<h3>Catalogs</h3>${table(["slice", "file", "rows", "sha256"], catalogs, { id: "catalog-files" })}`
  }
${
    a.specText === undefined
      ? ""
      : `<h3>The spec</h3><pre id="spec-text"><code>${htmlBlock(a.specText, MAX_SPEC_CHARS)}</code></pre>`
  }
</section>`
}

/** The search box over the membership rows shown. */
const SEARCH_INPUT =
  `<input type="search" id="member-search" placeholder="gen id, template, model…" autocomplete="off">`

const membersSection = (m: ReportModel): string => {
  const s = m.sample
  const per = STAGES.map((st) => `${fmt(s.perStage[st].shown)} of ${fmt(s.perStage[st].total)} ${st}s`).join(", ")
  return `<section id="members"><h2>Membership (${fmt(s.total)} rows)</h2>
<p>${
    s.sampled
      ? `A sample: rows of each stage drawn at random with a fixed seed, in membership order (${per}). ` +
        "Counts of every level are in the balance section."
      : "Every row."
  }</p>
<p><label for="member-search">Search the rows shown: </label>${SEARCH_INPUT}
<span id="member-count" aria-live="polite"></span></p>
<div class="scroll">${table(s.columns, s.rows, { id: "members-table" })}</div>
</section>`
}

/** The links to the page's sections, one line of HTML. */
const NAV = `<nav aria-label="Sections">${
  [
    ["funnel", "Funnel"],
    ["balance", "Balance"],
    ["couplings", "Pairs &amp; tuples"],
    ["catalogs", "Catalogs"],
    ["warnings", "Warnings"],
    ["audit", "Spec &amp; audit"],
    ["members", "Membership"]
  ].map(([id, name]) => `<a href="#${id}">${name}</a>`).join("")
}</nav>`

/** The whole page: one self-contained HTML document (inline style and script, charts as inline SVG). */
export const reportPage = (m: ReportModel, charts: RenderedCharts): string =>
  `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Cohort report: ${html(m.cohortId, 120)}</title>
<style>${STYLE}</style></head>
<body><header><h1>Cohort report: <code>${html(m.cohortId, 200)}</code></h1>
<p>${fmt(m.sample.total)} generations: ${STAGES.map((s) => `${fmt(m.status.stages[s].members)} ${s}s`).join(", ")}.
${m.source === "membership" ? "Built." : "Not built yet."} ${m.warnings.length} validation warnings.</p>
${NAV}
</header><main>
${funnelSection(m, charts)}
${balanceSection(m, charts)}
${couplingSection(charts)}
${catalogSection(m)}
${auditSection(m)}
${membersSection(m)}
</main><script>${SEARCH_SCRIPT}</script></body></html>
`
