// npm run bench:profile [-- <spec> [more cohort args]]: one `cohort plan` of a bench spec (default
// large-624k; BENCH_SCALE=small: medium-112k) under `node --cpu-prof`, then, for each thread's
// .cpuprofile, the functions with the most self time and a top-down tree of inclusive time (a flame
// graph as text: one line per frame holding at least BENCH_PROFILE_MIN percent, default 1.5).
// The profiles stay in BENCH_PROFILE_DIR (default a new temp folder, printed): open them in Chrome
// DevTools (Performance > Load profile) or speedscope for the graphical flame graph.
//
//   node bench/profile.mjs --report <dir-or-file>   only prints the report of existing profiles
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const here = path.dirname(fileURLToPath(import.meta.url))
const main = path.join(here, "..", "dist", "main.js")
const minPercent = Number(process.env.BENCH_PROFILE_MIN ?? 1.5)
const top = Number(process.env.BENCH_PROFILE_TOP ?? 25)

const frameKey = (cf) => {
  const name = cf.functionName || "(anonymous)"
  if (!cf.url) return name
  return `${name} ${path.basename(cf.url.replace(/^file:\/\//, ""))}:${cf.lineNumber + 1}`
}

const report = (file) => {
  const profile = JSON.parse(fs.readFileSync(file, "utf8"))
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map() // node id -> µs
  for (let i = 0; i < profile.samples.length; i++) {
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0))
  }
  const total = profile.endTime - profile.startTime
  const idle = [...byId.values()].filter((n) => n.callFrame.functionName === "(idle)").reduce(
    (s, n) => s + (self.get(n.id) ?? 0),
    0
  )
  console.log(
    `\n### ${path.basename(file)}: ${(total / 1e3).toFixed(0)} ms profiled, ${
      (idle / 1e3).toFixed(0)
    } ms idle, ${profile.samples.length} samples`
  )

  // Self time by function (frames with the same name, file and line summed).
  const flat = new Map()
  for (const [id, us] of self) {
    const key = frameKey(byId.get(id).callFrame)
    flat.set(key, (flat.get(key) ?? 0) + us)
  }
  const busy = total - idle
  console.log(`\ntop ${top} by self time (% of the ${(busy / 1e3).toFixed(0)} ms not idle)`)
  console.log("| self ms | % | function file:line |")
  console.log("|---|---|---|")
  for (const [key, us] of [...flat].sort((a, b) => b[1] - a[1]).filter(([k]) => k !== "(idle)").slice(0, top)) {
    console.log(`| ${(us / 1e3).toFixed(1)} | ${((100 * us) / busy).toFixed(1)} | ${key} |`)
  }

  // Top-down tree: inclusive time per node, children with the same frame merged.
  const inclusive = new Map()
  const incl = (n) => {
    let us = self.get(n.id) ?? 0
    for (const c of n.children ?? []) us += incl(byId.get(c))
    inclusive.set(n.id, us)
    return us
  }
  const rootNode = profile.nodes[0]
  incl(rootNode)
  const merged = (ids) => {
    const groups = new Map()
    for (const id of ids) {
      const n = byId.get(id)
      const key = frameKey(n.callFrame)
      const g = groups.get(key) ?? { key, us: 0, children: [] }
      g.us += inclusive.get(id)
      g.children.push(...(n.children ?? []))
      groups.set(key, g)
    }
    return [...groups.values()].sort((a, b) => b.us - a.us)
  }
  const floor = (busy * minPercent) / 100
  console.log(
    `\nflame graph as text (inclusive ms and % of not idle; frames ≥ ${minPercent}%; a chain of frames with one child each is shown on one line, joined by " > ")`
  )
  const walk = (groups, depth) => {
    for (const g of groups) {
      if (g.us < floor || g.key === "(idle)") continue
      // Follow single-child chains on one line so deep stacks stay readable.
      const chain = [g.key]
      let kids = merged(g.children).filter((k) => k.us >= floor)
      while (kids.length === 1 && kids[0].us >= g.us * 0.98) {
        chain.push(kids[0].key)
        kids = merged(kids[0].children).filter((k) => k.us >= floor)
      }
      const shown = chain.length > 4 ? [...chain.slice(0, 2), `…${chain.length - 4}…`, ...chain.slice(-2)] : chain
      console.log(
        `${"  ".repeat(Math.min(depth, 30))}${(g.us / 1e3).toFixed(0).padStart(6)} ms ${
          ((100 * g.us) / busy).toFixed(1).padStart(5)
        }%  ${shown.join(" > ")}`
      )
      walk(kids, depth + 1)
    }
  }
  walk(merged(rootNode.children ?? []), 0)
}

const profilesIn = (target) =>
  fs.statSync(target).isDirectory()
    ? fs.readdirSync(target).filter((f) => f.endsWith(".cpuprofile")).sort().map((f) => path.join(target, f))
    : [target]

const args = process.argv.slice(2)
if (args[0] === "--report") {
  for (const file of profilesIn(args[1])) report(file)
} else {
  const spec = args[0] ?? (process.env.BENCH_SCALE === "small" ? "medium-112k" : "large-624k")
  const dir = process.env.BENCH_PROFILE_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), "cohort-profile-"))
  fs.mkdirSync(dir, { recursive: true })
  const out = path.join(dir, `${spec}.csv`)
  const maxRows = spec === "giant-10m" ? ["--max-rows", "20000000"] : []
  const cmd = [
    "--cpu-prof",
    "--cpu-prof-dir",
    dir,
    main,
    "plan",
    path.join(here, spec, "config.yaml"),
    "--cohort-id",
    "bench",
    "--out",
    out,
    ...maxRows,
    ...args.slice(1)
  ]
  const shown = (
    a
  ) => (path.isAbsolute(a) && !path.relative(process.cwd(), a).startsWith("..") ? path.relative(process.cwd(), a) : a)
  console.log(`node ${cmd.map(shown).join(" ")}`)
  const start = process.hrtime.bigint()
  const run = spawnSync(process.execPath, cmd, { stdio: ["ignore", "ignore", "inherit"] })
  const s = Number(process.hrtime.bigint() - start) / 1e9
  fs.rmSync(out, { force: true })
  if (run.status !== 0) {
    console.error(`cohort plan exited ${run.status}`)
    process.exit(1)
  }
  console.log(`wall ${s.toFixed(2)} s (profiling slows it down); profiles in ${dir}`)
  for (const file of profilesIn(dir)) report(file)
}
