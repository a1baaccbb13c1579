import { describe, expect, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import * as path from "node:path"
import { repoRoot } from "../support/Fixtures.js"

const main = path.join(repoRoot, "dist", "main.js")
const largeSpec = path.join(repoRoot, "bench", "large-624k", "config.yaml")

/** Runs the CLI, reads stdout until `enough` says so, then closes the pipe as `head` would. */
const readThenClose = (args: Array<string>, env: Record<string, string>, enough: (seen: number) => boolean) =>
  new Promise<{ code: number | null; stderr: string; seen: number }>((resolve) => {
    const child = spawn(process.execPath, [main, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] })
    let seen = 0
    let stderr = ""
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()))
    child.stdout.on("data", (d: Buffer) => {
      seen += d.length
      if (enough(seen)) child.stdout.destroy()
    })
    child.on("close", (code) => resolve({ code, stderr, seen }))
  })

describe("a reader that goes away (cohort plan … | head)", () => {
  for (const [what, args, env] of [
    ["plan, two threads", ["plan", largeSpec, "--cohort-id", "x"], {}],
    ["plan, one thread, jsonl", ["plan", largeSpec, "--cohort-id", "x", "--format", "jsonl"], { COHORT_THREADS: "1" }],
    ["design", ["design", largeSpec], {}]
  ] as const) {
    it(`${what}: ends quietly with exit 0, no stack trace`, async () => {
      const run = await readThenClose([...args], env, (seen) => seen > 1000)
      expect(run.code).toBe(0)
      expect(run.stderr).not.toMatch(/EPIPE|Error|at /)
      expect(run.seen).toBeGreaterThan(1000)
    }, 60_000)
  }
})
