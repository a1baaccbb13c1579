import { afterEach, describe, expect, it } from "@effect/vitest"
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import * as net from "node:net"
import * as path from "node:path"
import { MAX_LISTED_CHARS, MAX_LONG_CHARS } from "../../src/domain/TerminalText.js"
import { copyExampleDataRoot } from "../support/DataRoots.js"
import { repoRoot } from "../support/Fixtures.js"

const main = path.join(repoRoot, "dist", "main.js")
/** The example data root, for runs that fail before they read it. */
const examples = path.join(repoRoot, "examples", "data")

let cleanups: Array<() => void> = []
afterEach(() => {
  cleanups.forEach((c) => c())
  cleanups = []
})

/** `cohort serve` started from the bundle; resolves with its URL once it prints where it listens. */
const serve = (args: Array<string>): Promise<{ child: ChildProcess; url: string; line: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, "serve", ...args], { stdio: ["ignore", "pipe", "pipe"] })
    cleanups.push(() => child.kill("SIGKILL"))
    let out = ""
    const timer = setTimeout(() => reject(new Error(`no listening line in 20 s: ${out}`)), 20_000)
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8")
      const match = /listening on (http:\/\/\S+)/.exec(out)
      if (match !== null) {
        clearTimeout(timer)
        resolve({ child, url: match[1]!, line: out.split("\n")[0]! })
      }
    })
    child.on("exit", (code) => reject(new Error(`exited with ${code} before listening: ${out}`)))
  })

const exitOf = (child: ChildProcess): Promise<number | null> =>
  new Promise((resolve) => child.on("exit", (code) => resolve(code)))

describe("cohort serve", () => {
  it("has help naming its options", () => {
    const run = spawnSync(process.execPath, [main, "serve", "--help"], { encoding: "utf8" })
    expect(run.status).toBe(0)
    for (const option of ["--data-root", "--host", "--port", "--max-rows", "--max-body-bytes"]) {
      expect(run.stdout).toContain(option)
    }
  })

  it("listens on loopback by default, serves the API and the OpenAPI document, ends with 130 on SIGINT", async () => {
    const { cleanup, root } = copyExampleDataRoot()
    cleanups.push(cleanup)
    const { child, line, url } = await serve(["--data-root", root, "--port", "0"])
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(line).toContain(`(data root ${root})`)
    const openapi = await fetch(`${url}/openapi.json`)
    expect(openapi.status).toBe(200)
    expect(((await openapi.json()) as { paths: object }).paths).toHaveProperty(["/cohorts/{cohortId}/build"])
    const validate = await fetch(`${url}/cohorts/daydream-pilot/validate`, { method: "POST" })
    expect(validate.status).toBe(200)
    expect(((await validate.json()) as { rowCount: number }).rowCount).toBe(232)
    const exit = exitOf(child)
    child.kill("SIGINT")
    expect(await exit).toBe(130)
  }, 60_000)

  it("a port in use is a one-line ServeError and exit 1", async () => {
    const blocker = net.createServer()
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve))
    cleanups.push(() => blocker.close())
    const port = (blocker.address() as net.AddressInfo).port
    const { cleanup, root } = copyExampleDataRoot()
    cleanups.push(cleanup)
    const run = spawnSync(process.execPath, [main, "serve", "--data-root", root, "--port", String(port)], {
      encoding: "utf8",
      timeout: 20_000
    })
    expect(run.status).toBe(1)
    expect(run.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(new RegExp(`^ServeError: cannot listen on 127\\.0\\.0\\.1:${port}: `))
    ])
  }, 30_000)

  it("a port outside 0–65535 or not a whole number is a usage error naming --port and the value (exit 2)", () => {
    for (const port of ["99999", "65536", "-1", "1.5", "8e3", "abc"]) {
      const run = spawnSync(process.execPath, [main, "serve", "--data-root", examples, "--port", port], {
        encoding: "utf8",
        timeout: 20_000
      })
      expect({ port, code: run.status, listened: run.stdout.includes("listening") }).toEqual({
        port,
        code: 2,
        listened: false
      })
      expect(run.stderr).toContain(`--port must be a whole number from 0 to 65535, not '${port}'`)
      expect(run.stderr).not.toContain("interrupted")
    }
  }, 60_000)

  it("a ServeError echoes --host (and the cause quoting it) escaped and cut", () => {
    const host = `\u001b[2J${"x".repeat(10_000)}`
    const run = spawnSync(process.execPath, [main, "serve", "--data-root", examples, "--host", host], {
      encoding: "utf8",
      timeout: 20_000
    })
    expect(run.status).toBe(1)
    const lines = run.stderr.trim().split("\n")
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^ServeError: cannot listen on \\u001b\[2Jx+… \(\d+ more characters\):\d+: /)
    expect(lines[0]).not.toContain("\u001b")
    expect(lines[0]!.length).toBeLessThan(MAX_LISTED_CHARS + MAX_LONG_CHARS + 200)
  }, 30_000)
})
