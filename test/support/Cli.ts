import { spawn } from "node:child_process"
import * as path from "node:path"
import { repoRoot } from "./Fixtures.js"

/** The built CLI, as `npm test` builds it. */
export const cliMain = path.join(repoRoot, "dist", "main.js")

/** Runs the built CLI as a child process (not blocking the test worker), with its exit code and output. */
export const runCli = (args: ReadonlyArray<string>, timeout = 60_000) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [cliMain, ...args], { timeout })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => (stdout += d))
    child.stderr.on("data", (d) => (stderr += d))
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })
