import { afterEach, describe, expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { outputMode } from "../../src/gens/AtomicFile.js"
import { runCli } from "../support/Cli.js"
import { repoRoot } from "../support/Fixtures.js"

const spec = path.join(repoRoot, "test", "fixtures", "spec-golden", "cohort_cartesian", "config.yaml")

const cohort = (args: Array<string>) => runCli(args, 30_000)

const dirs: Array<string> = []
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })))
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cohort-out-"))
  dirs.push(dir)
  return dir
}

describe("outputMode", () => {
  it("renames only over a regular file or nothing; writes FIFOs and character devices in place; refuses the rest", () => {
    expect(outputMode(undefined, "/t/new.csv")).toEqual({ _tag: "Replace", path: "/t/new.csv" })
    expect(outputMode("File", "/t/real.csv")).toEqual({ _tag: "Replace", path: "/t/real.csv" })
    expect(outputMode("FIFO", "/t/fifo")).toEqual({ _tag: "InPlace" })
    expect(outputMode("CharacterDevice", "/t/null")).toEqual({ _tag: "InPlace" })
    for (const type of ["Directory", "BlockDevice", "Socket", "Unknown"] as const) {
      expect(outputMode(type, "/t/x")._tag).toBe("Refuse")
    }
  })
})

describe("--out targets", () => {
  it("a FIFO is written in place: its reader gets every byte and it stays a FIFO", { timeout: 30_000 }, async () => {
    const dir = tempDir()
    const fifo = path.join(dir, "rows.fifo")
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0)
    const expected = (await cohort(["design", spec])).stdout
    expect(expected.split("\n").length).toBeGreaterThan(2)
    const run = cohort(["design", spec, "--out", fifo])
    // The reader opens the FIFO after the writer started (it may open first, too).
    const read = new Promise<string>((resolve, reject) => {
      let text = ""
      fs.createReadStream(fifo, "utf8").on("data", (d) => (text += d)).on("end", () => resolve(text)).on(
        "error",
        reject
      )
    })
    const [{ code, stderr }, text] = await Promise.all([run, read])
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" })
    expect(text).toBe(expected)
    expect(fs.lstatSync(fifo).isFIFO()).toBe(true)
    expect(fs.readdirSync(dir)).toEqual(["rows.fifo"])
  })

  it("a symlink to a regular file: the file it names is replaced, the link stays", { timeout: 30_000 }, async () => {
    const dir = tempDir()
    fs.writeFileSync(path.join(dir, "real.csv"), "old")
    fs.symlinkSync(path.join(dir, "real.csv"), path.join(dir, "link.csv"))
    const run = await cohort(["design", spec, "--out", path.join(dir, "link.csv")])
    expect(run.code).toBe(0)
    expect(fs.lstatSync(path.join(dir, "link.csv")).isSymbolicLink()).toBe(true)
    expect(fs.readFileSync(path.join(dir, "real.csv"), "utf8")).toBe((await cohort(["design", spec])).stdout)
    expect(fs.readdirSync(dir).sort()).toEqual(["link.csv", "real.csv"])
  })

  it("--out \"\" is a usage error", { timeout: 30_000 }, async () => {
    for (const command of [["design", spec], ["plan", spec, "--cohort-id", "x"]]) {
      const run = await cohort([...command, "--out", ""])
      expect(run.code).toBe(2)
      expect(run.stdout).toBe("")
    }
  })
})
