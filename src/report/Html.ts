import { escapeControls, startWithin } from "../domain/TerminalText.js"

const markup = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
const bound = (text: string, max: number): string => (text.length > max ? `${startWithin(text, max)}…` : text)

/**
 * Text as HTML: cut to `max` characters, control and bidi characters shown as `\uXXXX` (they would
 * reorder what the page shows), the five markup characters escaped.
 */
export const html = (value: unknown, max = 500): string => markup(escapeControls(bound(String(value), max)))

/** A block of text (the spec) as HTML: as `html`, but its line ends and tabs kept. */
export const htmlBlock = (text: string, max: number): string =>
  bound(text, max).split(/\r?\n/).map((line) => markup(escapeControls(line.replace(/\t/g, "  ")))).join("\n")

/** A table: a header row, then the rows (numbers right-aligned). */
export const table = (
  columns: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<string | number>>,
  options: { readonly className?: string; readonly id?: string; readonly caption?: string } = {}
): string => {
  const head = `<thead><tr>${columns.map((c) => `<th scope="col">${html(c)}</th>`).join("")}</tr></thead>`
  const body = rows.map((r) =>
    `<tr>${r.map((c) => (typeof c === "number" ? `<td class="n">${c}</td>` : `<td>${html(c)}</td>`)).join("")}</tr>`
  )
  const attrs = `${options.id === undefined ? "" : ` id="${html(options.id)}"`}${
    options.className === undefined ? "" : ` class="${html(options.className)}"`
  }`
  const caption = options.caption === undefined ? "" : `<caption>${html(options.caption)}</caption>`
  return `<table${attrs}>${caption}${head}<tbody>${body.join("\n")}</tbody></table>`
}

/**
 * An SVG of Vega's as an image with a text alternative: `role="img"`, labelled by a `<title>` and
 * described by a `<desc>` put first inside it.
 */
export const accessibleSvg = (svg: string, id: string, title: string, description: string): string => {
  const open = svg.indexOf(">", svg.indexOf("<svg"))
  if (open < 0) return svg
  const tag = svg
    .slice(0, open)
    .replace(/\s(?:role|aria-[a-z]+)="[^"]*"/g, "")
    .concat(` role="img" aria-labelledby="${id}-title" aria-describedby="${id}-desc">`)
  return `${tag}<title id="${id}-title">${html(title)}</title><desc id="${id}-desc">${html(description, 2000)}</desc>${
    svg.slice(open + 1)
  }`
}

/** The page's style: readable type, tables that scroll on their own, charts that keep their size. */
export const STYLE = `
:root { color-scheme: light; --ink: #1b1b1b; --muted: #555; --line: #d0d0d0; --accent: #0072B2; --warn: #D55E00 }
* { box-sizing: border-box }
body {
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ink); margin: 0; background: #fafafa
}
header, main { max-width: 1200px; margin: 0 auto; padding: 0 1.25rem }
header { padding-top: 1.25rem }
h1 { font-size: 1.6rem; margin: 0 0 .25rem }
h2 { font-size: 1.3rem; margin: 2rem 0 .5rem; border-bottom: 2px solid var(--line) }
h3 { font-size: 1.05rem; margin: 1.25rem 0 .5rem }
nav a { margin-right: 1rem; color: var(--accent) }
code, pre { font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace }
pre { background: #fff; border: 1px solid var(--line); padding: .75rem; overflow: auto; max-height: 32rem }
table { border-collapse: collapse; background: #fff; margin: .5rem 0; font-size: 13px }
th, td { border: 1px solid var(--line); padding: .2rem .5rem; text-align: left; vertical-align: top }
th { background: #f0f0f0 } td.n { text-align: right; font-variant-numeric: tabular-nums }
.charts { display: flex; flex-wrap: wrap; gap: 1rem }
figure.chart {
  margin: 0; background: #fff; border: 1px solid var(--line); padding: .5rem; max-width: 100%; overflow-x: auto
}
figure.chart svg { display: block; max-width: none }
figcaption { color: var(--muted); font-size: 13px; max-width: 36rem; margin-top: .25rem }
.bad { color: var(--warn); font-weight: 600 } .ok { color: #007a5a; font-weight: 600 }
.scroll { max-height: 36rem; overflow: auto; border: 1px solid var(--line) }
.scroll table { margin: 0 }
.scroll thead th { position: sticky; top: 0 }
input[type=search] { font: inherit; padding: .3rem .5rem; width: min(28rem, 100%) }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem }
dt { font-weight: 600 }
dd { margin: 0; overflow-wrap: anywhere }
`

/** Filters the membership table as the search box is typed in (every cell's text, case-insensitive). */
export const SEARCH_SCRIPT = `
(() => {
  const box = document.getElementById("member-search")
  const rows = Array.from(document.querySelectorAll("#members-table tbody tr"))
  const count = document.getElementById("member-count")
  const texts = rows.map((r) => r.textContent.toLowerCase())
  const show = () => {
    const q = box.value.trim().toLowerCase()
    let n = 0
    rows.forEach((r, i) => {
      const hit = q === "" || texts[i].includes(q)
      r.hidden = !hit
      if (hit) n++
    })
    count.textContent = n + " of " + rows.length + " rows shown"
  }
  box.addEventListener("input", show)
  show()
})()
`
