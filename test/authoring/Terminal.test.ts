import { describe, expect, it } from "@effect/vitest"
import { spawn, spawnSync } from "node:child_process"
import * as path from "node:path"
import { repoRoot } from "../support/Fixtures.js"

const main = path.join(repoRoot, "dist", "main.js")
const largeSpec = path.join(repoRoot, "bench", "large-624k", "config.yaml")

/** Runs the CLI, reads stdout until `enough` says so, then closes the pipe as `head` would. */
const readThenClose = (args: Array<string>, env: Record<string, string>, enough: (seen: number) => boolean) =>
  new Promise<{ code: number | null; stderr: string; seen: number }>((resolve) => {
    const child = spawn(process.execPath, [main, ...args], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"]
    })
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
  for (
    const [what, args, env] of [
      ["plan, two threads", ["plan", largeSpec, "--cohort-id", "x"], {}],
      ["plan, one thread, jsonl", ["plan", largeSpec, "--cohort-id", "x", "--format", "jsonl"], {
        COHORT_THREADS: "1"
      }],
      ["design", ["design", largeSpec], {}]
    ] as const
  ) {
    it(`${what}: ends quietly with exit 0, no stack trace`, async () => {
      const run = await readThenClose([...args], env, (seen) => seen > 1000)
      expect(run.code).toBe(0)
      expect(run.stderr).not.toMatch(/EPIPE|Error|at /)
      expect(run.seen).toBeGreaterThan(1000)
    }, 60_000)
  }
})

const run = (args: Array<string>) => {
  const r = spawnSync(process.execPath, [main, ...args], { encoding: "utf8" })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe("help a person reads", () => {
  it("in a pipe: plain text, usage naming the program, no boilerplate under every option", () => {
    for (const sub of ["build", "validate", "plan", "design"]) {
      const help = run([sub, "--help"])
      expect(help.code).toBe(0)
      expect(help.stdout).not.toContain("\u001b")
      expect(help.stdout).toMatch(new RegExp(`^Usage:\\n  cohort ${sub} `))
      expect(help.stdout).not.toMatch(/A user-defined piece of text|This setting is optional|A true or false value/)
      expect(help.stdout).toContain(`Example: cohort ${sub} `)
    }
    expect(run(["build", "--help"]).stdout).toContain("[--data-root DIR]")
  })

  it("the program's help lists each command with its one-line description", () => {
    const help = run(["--help"])
    expect(help.code).toBe(0)
    expect(help.stdout).not.toContain("\u001b")
    for (const sub of ["build", "validate", "plan", "design"]) {
      expect(help.stdout).toMatch(new RegExp(`\\n  ${sub} +\\S`))
    }
  })

  it("a usage error with --json is also a JSON result on stdout, exit 2", () => {
    const r = run(["build", "--json"])
    expect(r.code).toBe(2)
    expect(JSON.parse(r.stdout)).toEqual({
      ok: false,
      error: { _tag: "UsageError", message: "Missing argument <cohort-id>" }
    })
    expect(r.stderr).toContain("Missing argument <cohort-id>")
  })
})
