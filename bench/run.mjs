// npm run bench: times `cohort plan` on the three bench specs and `cohort build` of the large one on a
// fresh temp data root (then a rerun, then `cohort status` of it), as whole processes. Prints wall time (median), peak RSS and
// throughput, and the ratio to the original's figures (bench/ORIGINAL.md).
import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.join(here, "..")
const main = path.join(root, "dist", "main.js")
const runs = Number(process.env.BENCH_RUNS ?? 5)
const work = fs.mkdtempSync(path.join(os.tmpdir(), "cohort-bench-"))

const original = { "medium-112k": { s: 2.9, mb: 207 }, "large-624k": { s: 18.8, mb: 1040 } }
const expectedMd5 = { "medium-112k": "d3acddb6fc9c243fa01f09cc813df494", "large-624k": "229126aa9174e30bed781216e8d937b5" }

const timed = (args) => {
  const usage = path.join(work, "rusage.json")
  const start = process.hrtime.bigint()
  const run = spawnSync(process.execPath, ["--import", path.join(here, "rusage.mjs"), main, ...args], {
    env: { ...process.env, BENCH_RUSAGE_OUT: usage },
    encoding: "utf8",
    maxBuffer: 1 << 26
  })
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  if (run.status !== 0) throw new Error(`cohort ${args.join(" ")} failed:\n${run.stderr}`)
  return { seconds, mb: JSON.parse(fs.readFileSync(usage, "utf8")).maxRSS / 1024, stdout: run.stdout }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const md5 = (file) => createHash("md5").update(fs.readFileSync(file)).digest("hex")

const rows = []
// BENCH_PLANS=0 skips the plans (to time only the build, its rerun and status).
for (const size of process.env.BENCH_PLANS === "0" ? [] : ["medium-112k", "large-624k", "huge-2m5"]) {
  const out = path.join(work, `${size}.csv`)
  const results = Array.from({ length: size === "huge-2m5" ? Math.min(runs, 3) : runs }, () =>
    timed(["plan", path.join(here, size, "config.yaml"), "--cohort-id", "bench", "--out", out])
  )
  const n = fs.readFileSync(out, "utf8").split("\n").length - 2
  const sum = md5(out)
  if (expectedMd5[size] && sum !== expectedMd5[size]) throw new Error(`${size}: md5 ${sum}, expected ${expectedMd5[size]}`)
  rows.push({ what: `plan ${size}`, rows: n, s: median(results.map((r) => r.seconds)), mb: Math.max(...results.map((r) => r.mb)), original: original[size], md5: sum })
}

// build of the large cohort on a fresh data root whose catalogs cover it
const data = path.join(work, "data")
const spec = path.join(data, "cohorts", "bench-large", "spec")
fs.mkdirSync(path.join(data, "1_raw"), { recursive: true })
fs.cpSync(path.join(here, "large-624k"), spec, { recursive: true })
const combos = fs.readFileSync(path.join(spec, "items", "combos.csv"), "utf8").trim().split("\n").slice(1)
fs.writeFileSync(path.join(data, "combo_mappings.csv"), [
  "combo_id,version,concept_id,description_level,k_max,created_at",
  ...combos.map((c) => `${c},v1,concept-a,paragraph,2,2025-01-01T00:00:00`)
].join("\n") + "\n")
const templates = (file, ids) =>
  fs.writeFileSync(path.join(data, "1_raw", file), ["template_id,generator", ...ids.map((id) => `${id},llm`)].join("\n") + "\n")
templates("draft_templates.csv", "abcdefghij".split("").map((c) => `dt-${c}`))
templates("essay_templates.csv", [1, 2, 3, 4, 5].map((i) => `es-${i}`))
templates("evaluation_templates.csv", Array.from({ length: 10 }, (_, i) => `ev-${i + 1}`))
fs.writeFileSync(path.join(data, "1_raw", "llm_models.csv"), ["id", "m1", "m2", "m3", "m4", "j1", "j2", "j3"].join("\n") + "\n")
const build = timed(["build", "bench-large", "--data-root", data, "--preview-rows", "0"])
rows.push({ what: "build large-624k (fresh)", rows: 624000, s: build.seconds, mb: build.mb })
const rebuild = timed(["build", "bench-large", "--data-root", data, "--preview-rows", "0"])
rows.push({ what: "build large-624k (rerun)", rows: 624000, s: rebuild.seconds, mb: rebuild.mb })
// status of the built cohort: its generation files and the next run's LLM calls (target: within a rerun's time)
const status = timed(["status", "bench-large", "--data-root", data, "--json"])
if (JSON.parse(status.stdout).result.stages.evaluation.members !== 600000) throw new Error("status: unexpected evaluation count")
rows.push({ what: "status large-624k (built)", rows: 624000, s: status.seconds, mb: status.mb })

const fmt = (x, d = 2) => x.toFixed(d)
console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}; median of ${runs} runs (plan)`)
console.log("| run | rows | wall s | peak RSS MB | rows/s | ms per 100k rows | vs original |")
console.log("|---|---|---|---|---|---|---|")
for (const r of rows) {
  const vs = r.original ? `${fmt(r.original.s / r.s, 1)}× faster, ${fmt(r.original.mb / r.mb, 1)}× less memory` : ""
  console.log(`| ${r.what} | ${r.rows.toLocaleString("en-US")} | ${fmt(r.s)} | ${fmt(r.mb, 0)} | ${Math.round(r.rows / r.s).toLocaleString("en-US")} | ${fmt((r.s * 1000) / (r.rows / 100000), 0)} | ${vs} |`)
}
console.log(`md5: ${rows.filter((r) => r.md5).map((r) => `${r.what.split(" ")[1]} ${r.md5}`).join(", ")}`)
// Removing 624k folders takes minutes here, and on ext4 without a journal it slows the creation of new
// files for some minutes after (the kernel skips recently freed inodes): a bench right after another
// one, or after deleting a large tree, measures a slower fresh build.
console.log(`removing ${work} (624k generation folders; a fresh build within ~6 minutes of this may be slower)`)
fs.rmSync(work, { recursive: true, force: true })
