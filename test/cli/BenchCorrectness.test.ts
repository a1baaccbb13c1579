import { describe, expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { repoRoot } from "../support/Fixtures.js"

// bench/ORIGINAL.md: the original's membership CSV of medium-112k (cohort id "bench") has this md5.
const MEDIUM_MD5 = "d3acddb6fc9c243fa01f09cc813df494"

describe("bench correctness", () => {
  // With a worker thread making half of the evaluation rows (the default), and without (COHORT_THREADS=1).
  for (const threads of ["2", "1"]) {
    it(`plan of bench/medium-112k has the original's md5 (COHORT_THREADS=${threads})`, () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cohort-bench-md5-"))
      try {
        const out = path.join(dir, "medium.csv")
        const run = spawnSync(process.execPath, [
          path.join(repoRoot, "dist", "main.js"),
          "plan",
          path.join(repoRoot, "bench", "medium-112k", "config.yaml"),
          "--cohort-id",
          "bench",
          "--out",
          out
        ], { encoding: "utf8", env: { ...process.env, COHORT_THREADS: threads } })
        expect(run.status).toBe(0)
        const text = fs.readFileSync(out)
        expect(text.toString("utf8").split("\n").length - 2).toBe(112_000)
        expect(createHash("md5").update(text).digest("hex")).toBe(MEDIUM_MD5)
      } finally {
        fs.rmSync(dir, { recursive: true, force: true })
      }
    }, 60_000)
  }
})
