import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { type BrowserContext, chromium } from "playwright-core"
import { runCli } from "../support/Cli.js"
import { copyExampleDataRoot, removeTree } from "../support/DataRoots.js"
import { fixturePath, repoRoot } from "../support/Fixtures.js"

/**
 * The report in a real browser: Debian's Chromium (`apt-get install chromium`, as .ci/run does) driven by
 * playwright-core. Screenshots go to test-artifacts/report/ (gitignored).
 */

const CHROMIUM = "/usr/bin/chromium"
const hasChromium = fs.existsSync(CHROMIUM)
if (!hasChromium) {
  console.warn(`report browser tests SKIPPED: ${CHROMIUM} not found (apt-get install chromium; see README)`)
}

const ARTIFACTS = path.join(repoRoot, "test-artifacts", "report")
const BROWSER_TIMEOUT = 240_000

let tmp = ""
let context: BrowserContext | undefined

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cohort-report-browser-"))
  if (!hasChromium) return
  fs.mkdirSync(ARTIFACTS, { recursive: true })
  // A fresh profile in the test's temp folder; no background traffic of Chromium's own.
  context = await chromium.launchPersistentContext(path.join(tmp, "profile"), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run"
    ]
  })
}, BROWSER_TIMEOUT)

afterAll(async () => {
  await context?.close()
  await removeTree(tmp)
})

const report = async (args: ReadonlyArray<string>, out: string) => {
  const run = await runCli(["report", ...args, "--out", out], BROWSER_TIMEOUT)
  expect(run.stderr).toBe("")
  expect(run.code).toBe(0)
  return out
}

/** Opens a report: every request but the file itself is refused and recorded, as are console errors. */
const open = async (file: string, shot: string) => {
  const page = await context!.newPage()
  const url = pathToFileURL(file).href
  const refused: Array<string> = []
  const requests: Array<string> = []
  const errors: Array<string> = []
  page.on("request", (r) => void requests.push(r.url()))
  page.on("console", (m) => void (m.type() === "error" && errors.push(m.text())))
  page.on("pageerror", (e) => void errors.push(String(e)))
  await page.route("**/*", (route) => {
    if (route.request().url() === url) return route.continue()
    refused.push(route.request().url())
    return route.abort()
  })
  await page.goto(url, { waitUntil: "load" })
  const charts = await page.$$eval("figure.chart", (figures) =>
    figures.map((f) => {
      const svg = f.querySelector("svg")
      const box = svg?.getBoundingClientRect()
      return {
        svg: svg !== null,
        width: box?.width ?? 0,
        height: box?.height ?? 0,
        marks: svg?.querySelectorAll("path, rect").length ?? 0,
        title: svg?.querySelector("title")?.textContent ?? ""
      }
    }))
  await page.screenshot({ path: path.join(ARTIFACTS, shot), fullPage: true })
  console.log(`report screenshot: ${path.join(ARTIFACTS, shot)}`)
  return { page, url, charts, refused, requests, errors }
}

/** Types into the search box and returns the rows left visible; the expected ones are computed from the rows' text. */
const search = async (page: import("playwright-core").Page, query: string) => {
  await page.fill("#member-search", query)
  const visible = await page.$$eval(
    "#members-table tbody tr",
    (rows) => rows.filter((r) => !(r as unknown as { hidden: boolean }).hidden).length
  )
  const expected = await page.$$eval(
    "#members-table tbody tr",
    (rows, q) => rows.filter((r) => (r.textContent ?? "").toLowerCase().includes(q)).length,
    query.toLowerCase()
  )
  const count = await page.textContent("#member-count")
  return { visible, expected, count }
}

const expectRendered = (result: Awaited<ReturnType<typeof open>>, atLeast: number) => {
  expect(result.errors).toEqual([])
  expect(result.refused).toEqual([])
  expect(new Set(result.requests)).toEqual(new Set([result.url]))
  expect(result.charts.length).toBeGreaterThanOrEqual(atLeast)
  for (const c of result.charts) {
    expect(c.svg, c.title).toBe(true)
    expect(c.width, c.title).toBeGreaterThan(50)
    expect(c.height, c.title).toBeGreaterThan(50)
    expect(c.marks, c.title).toBeGreaterThan(2)
    expect(c.title).not.toBe("")
  }
}

describe("cohort report in Chromium", () => {
  it.skipIf(!hasChromium)(
    "the example cohort, built: charts render, nothing is fetched, the search filters rows",
    async () => {
      const { cleanup, root } = copyExampleDataRoot()
      try {
        expect((await runCli(["build", "daydream-pilot", "--data-root", root])).code).toBe(0)
        const file = await report(["daydream-pilot", "--data-root", root], path.join(tmp, "example.html"))
        const result = await open(file, "example-report.png")
        // funnel, 21 axis charts less those of a single level, two heatmaps
        expectRendered(result, 15)
        const { page } = result
        const total = await page.$$eval("#members-table tbody tr", (rows) => rows.length)
        expect(total).toBe(232)
        const id = await page.textContent("#members-table tbody tr:nth-child(20) td:nth-child(2)")
        const one = await search(page, id!)
        expect(one.visible).toBe(one.expected)
        expect(one.visible).toBeGreaterThanOrEqual(1)
        expect(one.visible).toBeLessThan(total)
        expect(one.count).toBe(`${one.visible} of ${total} rows shown`)
        const stage = await search(page, "ESSAY")
        expect(stage.visible).toBe(stage.expected)
        expect(stage.visible).toBeGreaterThanOrEqual(24)
        expect((await search(page, "no such row")).visible).toBe(0)
        expect((await search(page, "")).visible).toBe(total)
        await page.close()
      } finally {
        await cleanup()
      }
    },
    BROWSER_TIMEOUT
  )

  it.skipIf(!hasChromium)("a 112k-row cohort: a sample of the rows, every chart rendered, the page small", async () => {
    const root = path.join(tmp, "data-112k")
    fs.cpSync(fixturePath("report-112k"), root, { recursive: true })
    const file = await report(["medium-112k", "--data-root", root], path.join(tmp, "medium.html"))
    expect(fs.statSync(file).size).toBeLessThan(3 * 1024 * 1024)
    const result = await open(file, "medium-112k-report.png")
    expectRendered(result, 15)
    const { page } = result
    const rows = await page.$$eval("#members-table tbody tr", (r) => r.length)
    expect(rows).toBe(400 * 3)
    const unbalanced = await page.$$eval("#balance .bad", (els) => els.length)
    expect(unbalanced).toBeGreaterThan(0)
    const found = await search(page, "ev-7")
    expect(found.visible).toBe(found.expected)
    expect(found.visible).toBeGreaterThan(0)
    expect(found.visible).toBeLessThan(rows)
    await page.close()
  }, BROWSER_TIMEOUT)
})
