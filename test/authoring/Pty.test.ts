import { afterEach, describe, expect, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { cliMain } from "../support/Cli.js"
import { useExampleDataRoots } from "../support/DataRoots.js"

/** util-linux `script` runs a command on a fresh pty (Debian base images and CI runners have it). */
const SCRIPT = "/usr/bin/script"
const hasScript = fs.existsSync(SCRIPT)
const { fresh } = useExampleDataRoots(afterEach)

const quote = (arg: string): string => `'${arg.replaceAll("'", `'\\''`)}'`

/**
 * The built CLI on a real terminal: stdout and stderr are the pty `script` opens. What the terminal
 * showed is read from `script`'s typescript log, kept in the test's own temp folder (nothing under /dev
 * but the pty is touched); the log's own first and last lines (`Script started …`, `Script done …`) are cut.
 */
const onTerminal = (args: ReadonlyArray<string>, env: Record<string, string | undefined>) =>
  new Promise<{ code: number | null; shown: string }>((resolve, reject) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cohort-pty-"))
    const log = path.join(dir, "typescript")
    const command = [process.execPath, cliMain, ...args].map(quote).join(" ")
    const child = spawn(SCRIPT, ["-qfec", command, log], {
      env: { ...process.env, ...env },
      stdio: ["pipe", "pipe", "pipe"],
      timeout: 30_000
    })
    child.stdin.end()
    child.stdout.resume()
    child.stderr.resume()
    child.on("error", reject)
    child.on("close", (code) => {
      const text = fs.readFileSync(log, "utf8")
      fs.rmSync(dir, { recursive: true, force: true })
      const body = text.slice(text.indexOf("\n") + 1)
      const done = body.lastIndexOf("\nScript done")
      resolve({ code, shown: done < 0 ? body : body.slice(0, done) })
    })
  })

const SGR = /\x1b\[[0-9;]*m/ // eslint-disable-line no-control-regex

describe.skipIf(!hasScript)(
  `on a real terminal (a pty through ${SCRIPT}${hasScript ? "" : ", SKIPPED: util-linux script is not installed"})`,
  () => {
    it("help is coloured on a terminal, plain with NO_COLOR=1; a build's progress is one line rewritten in place", async () => {
      const root = fresh()
      // Neither the runner's NO_COLOR nor its COHORT_PROGRESS (an undefined value is left out of the child's).
      const env = { NO_COLOR: undefined, COHORT_PROGRESS: undefined }
      // The three runs at once: each is a node start, and together they stay well under five seconds.
      const [colour, noColour, build] = await Promise.all([
        onTerminal(["--help"], env),
        onTerminal(["--help"], { ...env, NO_COLOR: "1" }),
        onTerminal(["build", "daydream-pilot", "--data-root", root], { ...env, COHORT_PROGRESS: "1" })
      ])
      expect(colour.code).toBe(0)
      expect(colour.shown).toMatch(SGR)
      expect(colour.shown).toContain("\x1b[1mUsage:\x1b[0m")
      expect(noColour.code).toBe(0)
      expect(noColour.shown).toContain("Usage:")
      expect(noColour.shown).not.toContain("\x1b")
      // The same text, less its colour.
      expect(noColour.shown).toBe(colour.shown.replace(new RegExp(SGR.source, "g"), ""))

      expect(build.code).toBe(0)
      // Each phase: `\r<stage>: done/total (percent), rate` then erase-to-end-of-line, ended by a newline.
      expect(build.shown).toMatch(/\rmembership ids: 232\/232 \(100%\), [\d,]+\/s\x1b\[K/) // eslint-disable-line no-control-regex
      expect(build.shown).toMatch(/\rwriting metadata: 232\/232 \(100%\), [\d,]+\/s\x1b\[K/) // eslint-disable-line no-control-regex
      // Not the pipe's line per phase (`membership ids: 232 in 0.1 s (…)`).
      expect(build.shown).not.toMatch(/membership ids: 232 in /)
      expect(build.shown).not.toMatch(SGR)
      expect(fs.existsSync(path.join(root, "cohorts", "daydream-pilot", "membership.csv"))).toBe(true)
    })
  }
)
