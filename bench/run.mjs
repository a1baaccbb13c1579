// npm run bench: times our commands as whole processes and, in the same run, the floors they are
// measured against (bench/floors.mjs) and, when it is available, the original's plan of the same spec
// (bench/original_plan.py). Every target of issue 18 is a ratio of two numbers taken here, so a slow
// or busy machine moves both. Prints one table per part, then the targets table.
//
// Environment:
//   BENCH_SCALE=small     small specs only (small-2k, medium-112k; build of small-2k): checks that the
//                         bench works, in about a minute. Default: the issue's sizes.
//   BENCH_LARGE=1         also the 10M-row plan (bench/giant-10m) and the original on huge-2m5.
//   BENCH_RUNS=n          runs per timing (median; default 5, small 3; at most 2 for 10M).
//   BENCH_PLANS=0 / BENCH_BUILD=0 / BENCH_STARTUP=0   skip that part.
//   BENCH_KEEP=1          keep the temp folder (its path is printed) instead of deleting it.
//   BENCH_JSON=file       also write every measurement as JSON there.
//   COHORT_BENCH_PYTHON   a python with pandas, PyYAML and pydantic 2, and
//   COHORT_BENCH_ORIGINAL a checkout of the original at d2be249 (its src/ goes on PYTHONPATH):
//                         with both, the original's plan runs beside ours. COHORT_BENCH_ORIGINAL_RUNS=n
//                         (default 1). COHORT_BENCH_PYTHONPATH: folders put before the checkout's src/
//                         on PYTHONPATH (e.g. one holding pydantic 2 for a python whose own is 1.x).
import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { countsOf } from "./specs.mjs"

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.join(here, "..")
const main = path.join(root, "dist", "main.js")
const small = process.env.BENCH_SCALE === "small"
const large = process.env.BENCH_LARGE === "1"
const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? (small ? 3 : 5)))
const skip = (part) => process.env[`BENCH_${part}`] === "0"
const cores = os.availableParallelism?.() ?? os.cpus().length
const work = fs.mkdtempSync(path.join(os.tmpdir(), "cohort-bench-"))

const scale = small
  ? {
    plans: ["small-2k", "medium-112k"],
    target: "medium-112k",
    build: "small-2k",
    original: ["small-2k", "medium-112k"]
  }
  : {
    plans: ["medium-112k", "large-624k", "huge-2m5", ...(large ? ["giant-10m"] : [])],
    target: "large-624k",
    build: "large-624k",
    original: ["medium-112k", "large-624k", ...(large ? ["huge-2m5"] : [])]
  }
const scalingBase = "medium-112k"
// The original's membership CSV (MEMBERSHIP_COLUMNS, deduped, cohort id "bench"); bench/ORIGINAL.md, README.
// small-2k and tiny-20: from bench/original_plan.py on d2be249 (pandas 1.5.3, pydantic 2.13), 2026-12-02.
// giant-10m: our output on 2026-12-02, not the original's (its plan of 10M rows was not run).
const expectedMd5 = {
  "tiny-20": "c5fbe081a89a286efc922795e8bd1ef0",
  "small-2k": "2303f462ce9908c36b6bc06a06de949d",
  "medium-112k": "d3acddb6fc9c243fa01f09cc813df494",
  "large-624k": "229126aa9174e30bed781216e8d937b5",
  "huge-2m5": "ef6cc15298d9dc701f0ccc5b4ab0254d",
  "giant-10m": "4596d6afa6d1a61eb1c510cf47595209"
}

// ---------------------------------------------------------------------------------------------- helpers
const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
/** md5 and line count of a file, read in chunks (a 10M-row CSV is longer than a string can be). */
const scan = (file) => {
  const hash = createHash("md5")
  const buf = Buffer.allocUnsafe(1 << 22)
  const fd = fs.openSync(file, "r")
  let lines = 0
  try {
    for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0;) {
      hash.update(buf.subarray(0, n))
      for (let at = buf.indexOf(10); at !== -1 && at < n; at = buf.indexOf(10, at + 1)) lines++
    }
  } finally {
    fs.closeSync(fd)
  }
  return { md5: hash.digest("hex"), lines }
}
const fmt = (x, d = 2) => (x === undefined || Number.isNaN(x) ? "–" : x.toFixed(d))
const int = (n) => n.toLocaleString("en-US")
const say = (line) => process.stderr.write(`bench: ${line}\n`)

/** One of our CLI's runs as a whole process: wall seconds, peak RSS (MB, all threads), stdout. */
const cohort = (args, { allowFail = false } = {}) => {
  const usage = path.join(work, `rusage-${process.pid}.json`)
  fs.rmSync(usage, { force: true })
  const start = process.hrtime.bigint()
  const run = spawnSync(process.execPath, ["--import", path.join(here, "rusage.mjs"), main, ...args], {
    env: { ...process.env, BENCH_RUSAGE_OUT: usage },
    encoding: "utf8",
    maxBuffer: 1 << 26
  })
  const s = seconds(start)
  if (run.status !== 0 && !allowFail) throw new Error(`cohort ${args.join(" ")} failed (${run.status}):\n${run.stderr}`)
  return { seconds: s, mb: JSON.parse(fs.readFileSync(usage, "utf8")).maxRSS / 1024, stdout: run.stdout }
}
/** A process's wall time from outside. */
const wall = (command, args, options = {}) => {
  const start = process.hrtime.bigint()
  const run = spawnSync(command, args, { encoding: "utf8", maxBuffer: 1 << 26, ...options })
  const s = seconds(start)
  if (run.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${run.status}):\n${run.stderr}`)
  return { seconds: s, stdout: run.stdout }
}
/** One floor program (bench/floors.mjs): its JSON line. */
const floor = (...args) =>
  JSON.parse(wall(process.execPath, [path.join(here, "floors.mjs"), ...args.map(String)]).stdout.trim())
const specDir = (name) => path.join(here, name)
// giant-10m has 9.6M design rows, over plan's default --max-rows (5M).
const planArgs = (
  name,
  out
) => [
  "plan",
  path.join(specDir(name), "config.yaml"),
  "--cohort-id",
  "bench",
  "--out",
  out,
  ...(name === "giant-10m" ? ["--max-rows", "20000000"] : [])
]

const results = { machine: {}, startup: {}, plans: {}, build: {}, original: {}, targets: [] }
results.machine = {
  cpus: `${cores} × ${os.cpus()[0]?.model ?? "cpu"}`,
  memGiB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  load: os.loadavg().map((x) => x.toFixed(2)).join(" "),
  scale: small ? "small" : large ? "full + 10M" : "full",
  runs
}
console.log(
  `machine: ${results.machine.cpus}, ${results.machine.memGiB} GiB, node ${process.version}, load ${results.machine.load}; scale ${results.machine.scale}, median of ${runs} runs; temp ${work}`
)

// ---------------------------------------------------------------------------------------------- startup
// `node -e 0`; node + reading and compiling the bundle the way dist/main.js does (with its code cache,
// without running it); `cohort --help`; a 20-row plan. Interleaved run by run.
const bundleFloorCode = [
  "const fs = require('node:fs'), vm = require('node:vm'), { Module } = require('node:module')",
  "const file = process.argv[1]",
  "let cachedData; try { cachedData = fs.readFileSync(`${file}.v8-${process.versions.v8}-${process.arch}.cache`) } catch {}",
  "new vm.Script(Module.wrap(fs.readFileSync(file, 'utf8').replace(/^#!.*/, '')), { filename: file, cachedData })"
].join("\n")
const bundleFile = fs.existsSync(path.join(root, "dist", "cli.cjs")) ? path.join(root, "dist", "cli.cjs") : main
if (!skip("STARTUP")) {
  const tinyOut = path.join(work, "tiny-20.csv")
  const t = { nodeStart: [], bundle: [], help: [], tiny: [] }
  let tinyRows = 0
  for (let r = 0; r < Math.max(runs, 5); r++) {
    t.nodeStart.push(wall(process.execPath, ["-e", "0"]).seconds)
    t.bundle.push(wall(process.execPath, ["-e", bundleFloorCode, bundleFile]).seconds)
    t.help.push(cohort(["--help"]).seconds)
    fs.rmSync(tinyOut, { force: true })
    t.tiny.push(cohort(planArgs("tiny-20", tinyOut)).seconds)
    tinyRows = fs.readFileSync(tinyOut, "utf8").trim().split("\n").length - 1
  }
  if (tinyRows !== 20) throw new Error(`tiny-20: ${tinyRows} rows, expected 20`)
  if (scan(tinyOut).md5 !== expectedMd5["tiny-20"]) {
    throw new Error(`tiny-20: md5 ${scan(tinyOut).md5}, expected ${expectedMd5["tiny-20"]}`)
  }
  const m = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, median(v)]))
  results.startup = m
  console.log("\n## Startup (whole processes)")
  console.log("| run | wall s | × node start + bundle |")
  console.log("|---|---|---|")
  console.log(`| node -e 0 | ${fmt(m.nodeStart, 3)} | ${fmt(m.nodeStart / m.bundle)} |`)
  console.log(`| node + read and compile ${path.basename(bundleFile)} (floor) | ${fmt(m.bundle, 3)} | 1.00 |`)
  console.log(`| cohort --help | ${fmt(m.help, 3)} | ${fmt(m.help / m.bundle)} |`)
  console.log(`| cohort plan tiny-20 (20 rows) | ${fmt(m.tiny, 3)} | ${fmt(m.tiny / m.bundle)} |`)
}
const nodeStart = results.startup.nodeStart ??
  median(Array.from({ length: 3 }, () => wall(process.execPath, ["-e", "0"]).seconds))

// ---------------------------------------------------------------------------------------------- plans
// Per spec and run: our plan (to a new file: the output is deleted first), then the floors of the same
// rows: the hash on one thread and on two, and the CSV's bytes written once to the same disk.
// floor = node start + hash (on min(2, cores) threads) + write.
if (!skip("PLANS")) {
  console.log("\n## Plan, against its floor (node start + BLAKE2b-80 of the same signatures + writing the same bytes)")
  console.log("| spec | rows | wall s | peak MB | hash 1t s | hash 2t s | µs/id 1t | write s | floor s | × floor |")
  console.log("|---|---|---|---|---|---|---|---|---|---|")
  for (const name of scale.plans) {
    const out = path.join(work, `${name}.csv`)
    const n = name === "giant-10m" ? Math.min(runs, 2) : runs
    const ours = []
    const hash1 = []
    const hash2 = []
    const write = []
    let bytes = 0
    let sum = ""
    let rows = 0
    for (let r = 0; r < n; r++) {
      fs.rmSync(out, { force: true })
      ours.push(cohort(planArgs(name, out)))
      if (r === 0) {
        bytes = fs.statSync(out).size
        const scanned = scan(out)
        sum = scanned.md5
        rows = scanned.lines - 1 // the header
      }
      const reps = name === "giant-10m" ? 1 : 3
      hash2.push(floor("hash", specDir(name), Math.min(2, cores), reps))
      hash1.push(floor("hash", specDir(name), 1, reps))
      write.push(floor("write", work, bytes))
    }
    const counts = countsOf(specDir(name))
    fs.rmSync(out, { force: true })
    if (rows !== counts.rows) throw new Error(`${name}: ${rows} rows, expected ${counts.rows}`)
    if (expectedMd5[name] !== undefined && sum !== expectedMd5[name]) {
      throw new Error(`${name}: md5 ${sum}, expected ${expectedMd5[name]}`)
    }
    const p = {
      rows,
      seconds: median(ours.map((o) => o.seconds)),
      mb: Math.max(...ours.map((o) => o.mb)),
      hash1: median(hash1.map((h) => h.seconds)),
      hash2: median(hash2.map((h) => h.seconds)),
      usPerId: median(hash1.map((h) => h.usPerId)),
      write: median(write.map((w) => w.seconds)),
      bytes,
      md5: sum
    }
    p.floor = nodeStart + Math.min(p.hash1, p.hash2) + p.write
    results.plans[name] = p
    console.log(
      `| ${name} | ${int(rows)} | ${fmt(p.seconds)} | ${fmt(p.mb, 0)} | ${fmt(p.hash1, 3)} | ${fmt(p.hash2, 3)} | ${
        fmt(p.usPerId, 3)
      } | ${fmt(p.write, 3)} | ${fmt(p.floor, 3)} | ${fmt(p.seconds / p.floor)} |`
    )
  }
  console.log(`md5: ${Object.entries(results.plans).map(([k, v]) => `${k} ${v.md5}`).join(", ")}`)

  const base = results.plans[scalingBase]
  console.log("\n## Scaling (time per row relative to medium-112k; peak RSS)")
  console.log(
    "| spec | rows | ms per 100k rows | × 112k's | ms per 100k rows after node start | ms per 100k rows net of tiny-20's plan (fixed costs) | × 112k's (net) | peak MB | MB per 100k rows |"
  )
  console.log("|---|---|---|---|---|---|---|---|---|")
  // Net of tiny-20's whole plan (startup part): what the rows cost beyond a plan's fixed costs.
  const tiny = results.startup.tiny
  const netPer = (p) => (tiny === undefined ? undefined : ((p.seconds - tiny) * 1e3) / (p.rows / 1e5))
  for (const [name, p] of Object.entries(results.plans)) {
    const per = (p.seconds * 1e3) / (p.rows / 1e5)
    const perNet = ((p.seconds - nodeStart) * 1e3) / (p.rows / 1e5)
    p.perRowVsBase = base ? p.seconds / p.rows / (base.seconds / base.rows) : undefined
    p.perRowNetOfTiny = netPer(p)
    const vsBaseNet = base && p.perRowNetOfTiny !== undefined ? p.perRowNetOfTiny / netPer(base) : undefined
    console.log(
      `| ${name} | ${int(p.rows)} | ${fmt(per, 0)} | ${fmt(p.perRowVsBase)} | ${fmt(perNet, 0)} | ${
        fmt(p.perRowNetOfTiny, 0)
      } | ${fmt(vsBaseNet)} | ${fmt(p.mb, 0)} | ${fmt(p.mb / (p.rows / 1e5), 1)} |`
    )
  }
}

// ---------------------------------------------------------------------------------------------- build
// On a fresh temp data root whose catalogs cover the spec: first the file-system floor (the same
// number of folders, one small file each, on two threads then one, each in a new tree; then the same
// made crash-safe, with a temp file linked into place, on two threads), then our fresh build and its rerun, then the read floor (open + read + close the metadata file of every
// generation the build's membership.csv lists, on two threads and one), then `status`. Each floor is
// node start + the faster of its two runs.
if (!skip("BUILD")) {
  const name = scale.build
  const counts = countsOf(specDir(name))
  const cohortId = `bench-${name}`
  const data = path.join(work, "data")
  const spec = path.join(data, "cohorts", cohortId, "spec")
  fs.mkdirSync(path.join(data, "1_raw"), { recursive: true })
  fs.cpSync(specDir(name), spec, { recursive: true })
  const combos = fs.readFileSync(path.join(spec, "items", "combos.csv"), "utf8").trim().split("\n").slice(1)
  fs.writeFileSync(
    path.join(data, "combo_mappings.csv"),
    [
      "combo_id,version,concept_id,description_level,k_max,created_at",
      ...combos.map((c) => `${c},v1,concept-a,paragraph,2,2025-01-01T00:00:00`)
    ].join("\n") + "\n"
  )
  const templates = (file, ids) =>
    fs.writeFileSync(
      path.join(data, "1_raw", file),
      ["template_id,generator", ...ids.map((id) => `${id},llm`)].join("\n") + "\n"
    )
  templates("draft_templates.csv", "abcdefghij".split("").map((c) => `dt-${c}`))
  templates("essay_templates.csv", [1, 2, 3, 4, 5].map((i) => `es-${i}`))
  templates("evaluation_templates.csv", Array.from({ length: 10 }, (_, i) => `ev-${i + 1}`))
  fs.writeFileSync(
    path.join(data, "1_raw", "llm_models.csv"),
    ["id", "m1", "m2", "m3", "m4", "j1", "j2", "j3"].join("\n") + "\n"
  )

  const c = [counts.drafts, counts.essays, counts.evaluations]
  const tree2 = path.join(work, "floor-tree-2t")
  const tree1 = path.join(work, "floor-tree-1t")
  say(`file-system floor: ${int(counts.rows)} folders + files, two threads, then one`)
  const fs2 = floor("tree", tree2, ...c, Math.min(2, cores))
  const fs1 = floor("tree", tree1, ...c, 1)
  // What a build adds to that floor to keep every metadata.json whole and never replaced (a temp file
  // beside it, linked into place, then unlinked): two threads, the build's own.
  say(`crash-safe file-system floor: ${int(counts.rows)} folders + temp file + link + unlink, two threads`)
  const safe2 = floor("safe-tree", path.join(work, "floor-safe-tree-2t"), ...c, Math.min(2, cores))
  say("build fresh, rerun, status")
  const build = ["build", cohortId, "--data-root", data, "--preview-rows", "0"]
  const fresh = cohort(build)
  // A rerun right after a fresh build meets whatever the disk is still doing with 624k new files (one
  // run, disturbed, took 17 s where the runs before and after took 4.1-4.5 s): the rerun is measured
  // then, and again right after the read floors, in their cache state (the one its target uses).
  const rerunFirst = cohort(build)
  // The read floor reads the store the build just made (the same files the reruns read).
  const membership = path.join(data, "cohorts", cohortId, "membership.csv")
  const read2 = floor("read-store", data, membership, Math.min(2, cores))
  const read1 = floor("read-store", data, membership, 1)
  const rerun = cohort(build)
  if (read1.files !== counts.rows) throw new Error(`read floor: ${read1.files} files, expected ${counts.rows}`)
  const statusArgs = ["status", cohortId, "--data-root", data, "--json"]
  const checkStatus = (run) => {
    const members = JSON.parse(run.stdout).result.stages.evaluation.members
    if (members !== counts.evaluations) {
      throw new Error(`status: ${members} evaluation members, expected ${counts.evaluations}`)
    }
    return run
  }
  // The first status after a build is the first to look up raw.txt and parsed.txt in each folder: the
  // kernel has no entry for those names in its cache yet, and each first miss costs more than a later
  // one. Then the floors of what status and a rerun cannot skip, and status again, in their cache state.
  const status = checkStatus(cohort(statusArgs))
  const probe2 = floor("probe-store", data, membership, Math.min(2, cores))
  const probe1 = floor("probe-store", data, membership, 1)
  const statusWarm = checkStatus(cohort(statusArgs))
  const parse2 = floor("read-parse-store", data, membership, Math.min(2, cores))
  const parse1 = floor("read-parse-store", data, membership, 1)
  // Every folder holds metadata.json (the build wrote it): a floor that found fewer looked elsewhere.
  for (const f of [probe1, probe2, parse1, parse2]) {
    if (f.files !== counts.rows || f.found < counts.rows) {
      throw new Error(`${f.kind} floor: ${f.found} found in ${f.files} folders, expected ${counts.rows}`)
    }
  }
  // Our commands are processes: each floor includes node's start.
  const fsFloor = nodeStart + Math.min(fs1.seconds, fs2.seconds)
  const safeFloor = nodeStart + safe2.seconds
  const readFloor = nodeStart + Math.min(read1.seconds, read2.seconds)
  const probeFloor = nodeStart + Math.min(probe1.seconds, probe2.seconds)
  const parseFloor = nodeStart + Math.min(parse1.seconds, parse2.seconds)
  results.build = {
    spec: name,
    generations: counts.rows,
    fresh: fresh.seconds,
    freshMb: fresh.mb,
    rerunFirst: rerunFirst.seconds,
    rerunFirstMb: rerunFirst.mb,
    rerun: rerun.seconds,
    rerunMb: rerun.mb,
    status: status.seconds,
    statusMb: status.mb,
    fsFloor1: fs1.seconds,
    fsFloor2: fs2.seconds,
    fsFloor,
    safeFloor2: safe2.seconds,
    safeFloor,
    readFloor1: read1.seconds,
    readFloor2: read2.seconds,
    readFloor,
    statusWarm: statusWarm.seconds,
    statusWarmMb: statusWarm.mb,
    probeFloor1: probe1.seconds,
    probeFloor2: probe2.seconds,
    probeFloor,
    parseFloor1: parse1.seconds,
    parseFloor2: parse2.seconds,
    parseFloor
  }
  console.log(`\n## Build of ${name} (${int(counts.rows)} generations), against the file-system floors`)
  console.log("| run | wall s | peak MB | µs per generation | floor s (+ node start) | × floor |")
  console.log("|---|---|---|---|---|---|")
  const us = (s) => fmt((s * 1e6) / counts.rows, 1)
  console.log(`| floor: mkdir + file, ${Math.min(2, cores)} threads | ${fmt(fs2.seconds)} | | ${us(fs2.seconds)} | | |`)
  console.log(`| floor: mkdir + file, 1 thread | ${fmt(fs1.seconds)} | | ${us(fs1.seconds)} | | |`)
  console.log(
    `| floor: mkdir + temp file + link + unlink, ${Math.min(2, cores)} threads | ${fmt(safe2.seconds)} | | ${
      us(safe2.seconds)
    } | | |`
  )
  console.log(
    `| build fresh | ${fmt(fresh.seconds)} | ${fmt(fresh.mb, 0)} | ${us(fresh.seconds)} | ${fmt(fsFloor)} | ${
      fmt(fresh.seconds / fsFloor)
    } |`
  )
  console.log(`| build fresh, vs the crash-safe floor | | | | ${fmt(safeFloor)} | ${fmt(fresh.seconds / safeFloor)} |`)
  console.log(
    `| floor: open + read + close, ${Math.min(2, cores)} threads | ${fmt(read2.seconds)} | | ${us(read2.seconds)} | | |`
  )
  console.log(`| floor: open + read + close, 1 thread | ${fmt(read1.seconds)} | | ${us(read1.seconds)} | | |`)
  console.log(
    `| build rerun right after the build | ${fmt(rerunFirst.seconds)} | ${fmt(rerunFirst.mb, 0)} | ${
      us(rerunFirst.seconds)
    } | ${fmt(readFloor)} | ${fmt(rerunFirst.seconds / readFloor)} |`
  )
  console.log(
    `| build rerun after the read floors (all present) | ${fmt(rerun.seconds)} | ${fmt(rerun.mb, 0)} | ${
      us(rerun.seconds)
    } | ${fmt(readFloor)} | ${fmt(rerun.seconds / readFloor)} |`
  )
  console.log(
    `| status --json, first after the build | ${fmt(status.seconds)} | ${fmt(status.mb, 0)} | ${us(status.seconds)} | ${
      fmt(readFloor)
    } | ${fmt(status.seconds / readFloor)} |`
  )
  const threads2 = `${Math.min(2, cores)} threads`
  console.log(`| floor: 3 existsSync per folder, ${threads2} | ${fmt(probe2.seconds)} | | ${us(probe2.seconds)} | | |`)
  console.log(`| floor: 3 existsSync per folder, 1 thread | ${fmt(probe1.seconds)} | | ${us(probe1.seconds)} | | |`)
  console.log(
    `| status --json, again | ${fmt(statusWarm.seconds)} | ${fmt(statusWarm.mb, 0)} | ${us(statusWarm.seconds)} | ${
      fmt(readFloor)
    } | ${fmt(statusWarm.seconds / readFloor)} |`
  )
  console.log(
    `| status --json, again, vs the existsSync floor | | | | ${fmt(probeFloor)} | ${
      fmt(statusWarm.seconds / probeFloor)
    } |`
  )
  console.log(
    `| floor: open + read + JSON.parse + close, ${threads2} | ${fmt(parse2.seconds)} | | ${us(parse2.seconds)} | | |`
  )
  console.log(
    `| floor: open + read + JSON.parse + close, 1 thread | ${fmt(parse1.seconds)} | | ${us(parse1.seconds)} | | |`
  )
  console.log(
    `| build rerun vs the JSON.parse floor | | | | ${fmt(parseFloor)} | ${fmt(rerun.seconds / parseFloor)} |`
  )
}

// ---------------------------------------------------------------------------------------------- original
const python = process.env.COHORT_BENCH_PYTHON
const checkout = process.env.COHORT_BENCH_ORIGINAL
const originalDriver = path.join(here, "original_plan.py")
let originalSkip
if (!python || !checkout) {
  originalSkip = "set COHORT_BENCH_PYTHON and COHORT_BENCH_ORIGINAL to run the original beside ours"
} else if (!fs.existsSync(path.join(checkout, "src", "daydreaming_dagster", "cohorts", "membership_engine.py"))) {
  originalSkip =
    `${checkout} has no src/daydreaming_dagster/cohorts/membership_engine.py (a checkout of d2be249 is needed)`
}
const pyPath = [process.env.COHORT_BENCH_PYTHONPATH, checkout && path.join(checkout, "src")].filter(Boolean).join(
  path.delimiter
)
const pyEnv = { ...process.env, PYTHONPATH: pyPath }
let pyVersions = ""
if (originalSkip === undefined) {
  const check = spawnSync(python, [originalDriver, "--check"], { env: pyEnv, encoding: "utf8" })
  const said = (check.stdout + check.stderr).trim().split("\n").pop()
  if (check.status !== 0) originalSkip = `${python} cannot run the original's plan: ${said}`
  else pyVersions = said
}
if (originalSkip !== undefined) {
  console.log(`\n## The original: skipped (${originalSkip})`)
} else if (skip("PLANS")) {
  console.log("\n## The original: skipped (BENCH_PLANS=0)")
} else {
  const n = Math.max(1, Number(process.env.COHORT_BENCH_ORIGINAL_RUNS ?? 1))
  console.log(
    `\n## Side by side with the original (${python}: ${pyVersions}; ${checkout}; ${n} run(s) each, ours paired run by run)`
  )
  console.log(
    "| spec | rows | original s | original MB | ours s | ours MB | × faster | × less memory | × faster than its part before the DataFrame | same CSV |"
  )
  console.log("|---|---|---|---|---|---|---|---|---|---|")
  for (const name of scale.original) {
    const theirsOut = path.join(work, `${name}.original.csv`)
    const oursOut = path.join(work, `${name}.ours.csv`)
    const theirs = []
    const ours = []
    for (let r = 0; r < n; r++) {
      const start = process.hrtime.bigint()
      const run = spawnSync(python, [originalDriver, path.join(specDir(name), "config.yaml"), theirsOut], {
        env: pyEnv,
        encoding: "utf8",
        maxBuffer: 1 << 26
      })
      const s = seconds(start)
      if (run.status !== 0) throw new Error(`the original's plan of ${name} failed:\n${run.stderr}`)
      const report = JSON.parse(run.stdout.trim().split("\n").pop())
      theirs.push({
        seconds: s,
        mb: report.maxRssKb / 1024,
        phases: report.seconds,
        beforeFrame: s - report.seconds.frame_and_csv
      })
      fs.rmSync(oursOut, { force: true })
      ours.push(cohort(planArgs(name, oursOut)))
    }
    const same = scan(theirsOut).md5 === scan(oursOut).md5
    fs.rmSync(theirsOut, { force: true })
    fs.rmSync(oursOut, { force: true })
    const o = {
      seconds: median(theirs.map((t) => t.seconds)),
      mb: Math.max(...theirs.map((t) => t.mb)),
      phases: theirs[0].phases,
      beforeFrame: median(theirs.map((t) => t.beforeFrame)),
      ours: median(ours.map((t) => t.seconds)),
      oursMb: Math.max(...ours.map((t) => t.mb)),
      sameCsv: same
    }
    results.original[name] = o
    console.log(
      `| ${name} | ${int(countsOf(specDir(name)).rows)} | ${fmt(o.seconds)} | ${fmt(o.mb, 0)} | ${fmt(o.ours)} | ${
        fmt(o.oursMb, 0)
      } | ${fmt(o.seconds / o.ours, 1)} | ${fmt(o.mb / o.oursMb, 1)} | ${fmt(o.beforeFrame / o.ours, 1)} | ${
        same ? "yes" : "NO"
      } |`
    )
  }
  const phases = results.original[scale.target]?.phases
  if (phases) {
    console.log(
      `the original's phases on ${scale.target} (s): ${
        Object.entries(phases).map(([k, v]) => `${k} ${fmt(v)}`).join(", ")
      }`
    )
  }
  console.log(
    "(× faster than its part before the DataFrame: the original's wall minus its DataFrame + to_csv phase, for comparison with figures of compile + membership only; the targets use the whole)"
  )
}

// ---------------------------------------------------------------------------------------------- targets
const targets = results.targets
const target = (what, measured, ratio, goal, met) => targets.push({ what, measured, ratio, goal, met })
const t = scale.target
const orig = results.original[t]
if (orig) {
  target(
    `plan ${t}: time vs the original`,
    `${fmt(orig.ours)} s vs ${fmt(orig.seconds)} s`,
    `${fmt(orig.seconds / orig.ours, 1)}×`,
    "≥ 40× faster",
    orig.seconds / orig.ours >= 40
  )
  target(
    `plan ${t}: peak memory vs the original`,
    `${fmt(orig.oursMb, 0)} MB vs ${fmt(orig.mb, 0)} MB`,
    `1/${fmt(orig.mb / orig.oursMb, 1)}`,
    "≤ 1/8",
    orig.mb / orig.oursMb >= 8
  )
} else {
  target(`plan ${t}: vs the original`, "not run", "–", "≥ 40× faster, ≤ 1/8 memory", undefined)
}
const p = results.plans[t]
if (p) {
  target(
    `plan ${t}: vs its floor`,
    `${fmt(p.seconds)} s vs ${fmt(p.floor)} s`,
    `${fmt(p.seconds / p.floor)}×`,
    "≤ 1.5×",
    p.seconds / p.floor <= 1.5
  )
}
// What the floor allows: every plan pays node's start, so at the base size node's start alone costs
// nodeStart / base.rows per row. When that already exceeds 1.2× a larger plan's whole time per row, no
// plan of the base size can be within ±20% of it by being faster: only by the larger one being slower.
const floorNotes = []
for (const [name, q] of Object.entries(results.plans)) {
  if (name === scalingBase || q.perRowVsBase === undefined || q.rows < results.plans[scalingBase].rows) continue
  const qPer = (q.seconds * 1e3) / (q.rows / 1e5)
  const startAtBase = (nodeStart * 1e3) / (results.plans[scalingBase].rows / 1e5)
  const bound = startAtBase > 1.2 * qPer
  target(
    `time per row ${name} vs ${scalingBase}`,
    `${fmt(qPer, 0)} ms per 100k, ${fmt(q.mb, 0)} MB`,
    `${fmt(q.perRowVsBase)}×`,
    "0.80–1.20×",
    Math.abs(q.perRowVsBase - 1) <= 0.2 ? true : bound ? "floor" : false
  )
  if (bound) {
    floorNotes.push(
      `time per row ${name}: node's start alone (${fmt(nodeStart, 3)} s, no code of ours) is ${
        fmt(startAtBase, 0)
      } ms per 100k rows at ${scalingBase}'s ${
        int(results.plans[scalingBase].rows)
      } rows, more than 1.2 × ${name}'s whole ${
        fmt(qPer, 0)
      }: no plan of ${scalingBase} can be within 20% of it by being faster.`
    )
  }
}
const b = results.build
if (b.spec) {
  target(
    `build ${b.spec} fresh vs the file-system floor`,
    `${fmt(b.fresh)} s vs ${fmt(b.fsFloor)} s`,
    `${fmt(b.fresh / b.fsFloor)}×`,
    "≤ 1.3×",
    b.fresh / b.fsFloor <= 1.3
  )
  target(
    `build ${b.spec} fresh vs the crash-safe floor (+ temp file, link, unlink)`,
    `${fmt(b.fresh)} s vs ${fmt(b.safeFloor)} s`,
    `${fmt(b.fresh / b.safeFloor)}×`,
    "(what the floor costs made crash-safe)",
    undefined
  )
  target(
    `build ${b.spec} rerun (after the read floors) vs the read floor`,
    `${fmt(b.rerun)} s vs ${fmt(b.readFloor)} s`,
    `${fmt(b.rerun / b.readFloor)}×`,
    "≤ 1.5×",
    b.rerun / b.readFloor <= 1.5
  )
  target(
    `status ${b.spec} (first after the build) vs the read floor`,
    `${fmt(b.status)} s vs ${fmt(b.readFloor)} s`,
    `${fmt(b.status / b.readFloor)}×`,
    "≤ 1.5×",
    b.status / b.readFloor <= 1.5
  )
  target(
    `status ${b.spec} (again) vs the read floor`,
    `${fmt(b.statusWarm)} s vs ${fmt(b.readFloor)} s`,
    `${fmt(b.statusWarm / b.readFloor)}×`,
    "≤ 1.5×",
    b.statusWarm / b.readFloor <= 1.5
  )
  floorNotes.push(
    `status ${b.spec}: it looks up three files per generation (metadata, raw, parsed); doing only that ` +
      `(3 existsSync per folder, node start included) takes ${fmt(b.probeFloor)} s, ${
        fmt(b.probeFloor / b.readFloor)
      }× the read floor; status again is ${fmt(b.statusWarm / b.probeFloor)}× that floor.`
  )
  floorNotes.push(
    `rerun ${b.spec} right after the fresh build: ${fmt(b.rerunFirst)} s (${
      fmt(b.rerunFirst / b.readFloor)
    }× the read floor), while the kernel may still be writing the build's files back; the target uses the rerun after the floors.`
  )
  floorNotes.push(
    `rerun ${b.spec}: it must also parse each metadata file to tell its own from another signature's; ` +
      `reading and JSON.parse alone (node start included) take ${fmt(b.parseFloor)} s, ${
        fmt(b.parseFloor / b.readFloor)
      }× the read floor; the rerun is ${fmt(b.rerun / b.parseFloor)}× that floor.`
  )
}
const s = results.startup
if (s.bundle) {
  target(
    "cohort --help vs node start + bundle",
    `${fmt(s.help, 3)} s vs ${fmt(s.bundle, 3)} s`,
    `${fmt(s.help / s.bundle)}×`,
    "≤ 1.5×",
    s.help / s.bundle <= 1.5
  )
  target(
    "plan tiny-20 vs node start + bundle",
    `${fmt(s.tiny, 3)} s vs ${fmt(s.bundle, 3)} s`,
    `${fmt(s.tiny / s.bundle)}×`,
    "≤ 1.5×",
    s.tiny / s.bundle <= 1.5
  )
}
console.log(`\n## Targets (issue 18${small ? "; SMALL SCALE: the sizes are not the issue's" : ""})`)
console.log("| target | measured | ratio | goal | met |")
console.log("|---|---|---|---|---|")
for (const x of targets) {
  console.log(
    `| ${x.what} | ${x.measured} | ${x.ratio} | ${x.goal} | ${
      x.met === undefined ? "–" : x.met === "floor" ? "not met: below the floor (see below)" : x.met ? "met" : "not met"
    } |`
  )
}
for (const note of floorNotes) console.log(note)

if (process.env.BENCH_JSON) fs.writeFileSync(process.env.BENCH_JSON, JSON.stringify(results, null, 2) + "\n")
if (process.env.BENCH_KEEP === "1") {
  console.log(`kept ${work}`)
} else {
  // Removing 624k folders takes minutes here, and on ext4 without a journal it slows the creation of new
  // files for some minutes after (the kernel skips recently freed inodes): a bench right after another
  // one, or after deleting a large tree, measures a slower fresh build.
  say(
    `removing ${work}${
      b.spec && !small
        ? " (four trees of generation folders: minutes; a fresh build within ~6 minutes of this may be slower)"
        : ""
    }`
  )
  fs.rmSync(work, { recursive: true, force: true })
}
