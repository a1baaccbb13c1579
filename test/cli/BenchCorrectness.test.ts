import { describe, expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { repoRoot } from "../support/Fixtures.js"

// The original's membership CSVs (cohort id "bench"): medium-112k's md5 is bench/ORIGINAL.md's, large-624k's
// was made by the original at d2be249 (README "Performance").
const MD5: Record<string, { readonly md5: string; readonly rows: number }> = {
  "medium-112k": { md5: "d3acddb6fc9c243fa01f09cc813df494", rows: 112_000 },
  "large-624k": { md5: "229126aa9174e30bed781216e8d937b5", rows: 624_000 }
}

describe("bench correctness", () => {
  // Medium plans on one thread (below WORKER_MIN_ROWS); large with a worker thread making a share of the
  // evaluation rows (the default), and without (COHORT_THREADS=1).
  for (const [spec, threads] of [["medium-112k", "2"], ["large-624k", "2"], ["large-624k", "1"]] as const) {
    it(`plan of bench/${spec} has the original's md5 (COHORT_THREADS=${threads})`, () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cohort-bench-md5-"))
      try {
        const out = path.join(dir, "membership.csv")
        const run = spawnSync(process.execPath, [
          path.join(repoRoot, "dist", "main.js"),
          "plan",
          path.join(repoRoot, "bench", spec, "config.yaml"),
          "--cohort-id",
          "bench",
          "--out",
          out
        ], { encoding: "utf8", env: { ...process.env, COHORT_THREADS: threads } })
        expect(run.status).toBe(0)
        const text = fs.readFileSync(out)
        let newlines = 0
        for (let i = text.indexOf(10); i !== -1; i = text.indexOf(10, i + 1)) newlines++
        expect(newlines - 1).toBe(MD5[spec].rows)
        expect(createHash("md5").update(text).digest("hex")).toBe(MD5[spec].md5)
      } finally {
        fs.rmSync(dir, { recursive: true, force: true })
      }
    }, 60_000)
  }
})
