import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { repoRoot } from "./Fixtures.js"

export const exampleDataRoot = path.join(repoRoot, "examples", "data")

/** A fresh copy of the example data root in a temp folder (removed by `cleanup`). */
export const copyExampleDataRoot = (): { root: string; cleanup: () => void } => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cohort-test-"))
  const root = path.join(dir, "data")
  fs.cpSync(exampleDataRoot, root, { recursive: true })
  for (const generated of ["gens", "cohorts/daydream-pilot/membership.csv", "cohorts/daydream-pilot/manifest.json"]) {
    fs.rmSync(path.join(root, generated), { recursive: true, force: true })
  }
  return { root, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) }
}

/** Every file under a folder, relative path → content (to compare trees before and after). */
export const snapshot = (root: string): Map<string, string> => {
  const out = new Map<string, string>()
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(full)
      else out.set(path.relative(root, full), fs.readFileSync(full, "utf8"))
    }
  }
  walk(root)
  return out
}

export const listFiles = (root: string): Array<string> => Array.from(snapshot(root).keys()).sort()
