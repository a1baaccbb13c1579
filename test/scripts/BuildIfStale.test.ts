import { afterEach, describe, expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { repoRoot } from "../support/Fixtures.js"

const script = path.join(repoRoot, "scripts", "build-if-stale.mjs")
let dirs: Array<string> = []
afterEach(() => {
  dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true }))
  dirs = []
})

/** A project folder with a fake `npm` on PATH that records each build it is asked for. */
const project = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cohort-stale-"))
  dirs.push(dir)
  fs.mkdirSync(path.join(dir, "src"))
  fs.mkdirSync(path.join(dir, "bin"))
  fs.writeFileSync(path.join(dir, "src", "index.ts"), "export {}\n")
  fs.writeFileSync(path.join(dir, "package.json"), "{}\n")
  fs.writeFileSync(path.join(dir, "bin", "npm"), `#!/bin/sh\necho "$@" >> "${path.join(dir, "builds.log")}"\n`, {
    mode: 0o755
  })
  const start = () => {
    const run = spawnSync(process.execPath, [script], {
      cwd: dir,
      env: { ...process.env, PATH: `${path.join(dir, "bin")}:${process.env["PATH"] ?? ""}` }
    })
    expect(run.status).toBe(0)
  }
  const builds = () => (fs.existsSync(path.join(dir, "builds.log"))
    ? fs.readFileSync(path.join(dir, "builds.log"), "utf8").trim().split("\n")
    : [])
  const setTime = (file: string, seconds: number) => fs.utimesSync(path.join(dir, file), seconds, seconds)
  return { dir, start, builds, setTime }
}

describe("npm start rebuilds only when a source is newer than dist/", () => {
  it("builds without a stamp, skips when the stamp is newer than every input, builds again after an edit", () => {
    const p = project()
    p.start()
    expect(p.builds()).toEqual(["run build --silent"])
    fs.mkdirSync(path.join(p.dir, "dist"))
    fs.writeFileSync(path.join(p.dir, "dist", ".build-stamp"), "built\n")
    for (const f of ["src/index.ts", "src", "package.json"]) p.setTime(f, 1_000_000)
    p.setTime("dist/.build-stamp", 2_000_000)
    p.start()
    expect(p.builds()).toHaveLength(1)
    p.setTime("src/index.ts", 3_000_000)
    p.start()
    expect(p.builds()).toHaveLength(2)
  })
})
