import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { repoRoot } from "./Fixtures.js"

export const exampleDataRoot = path.join(repoRoot, "examples", "data")

/**
 * Removes a temp folder without blocking the event loop: a data root of tens of thousands of generation
 * folders takes a while to delete, and a test worker blocked that long misses vitest's RPC deadlines.
 */
export const removeTree = (dir: string): Promise<void> => fs.promises.rm(dir, { recursive: true, force: true })

/**
 * `tempRoot()`: a new empty temp folder named `<prefix>…`, removed after each test (`afterEach` is the
 * test file's, from vitest).
 */
export const useTempRoots = (afterEach: (f: () => void) => void, prefix: string) => {
  let made: Array<string> = []
  afterEach(() => {
    made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true }))
    made = []
  })
  return () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
    made.push(dir)
    return dir
  }
}

/** A fresh copy of the example data root in a temp folder (removed by `cleanup`). */
export const copyExampleDataRoot = (): { root: string; cleanup: () => Promise<void> } => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cohort-test-"))
  const root = path.join(dir, "data")
  fs.cpSync(exampleDataRoot, root, { recursive: true })
  for (const generated of ["gens", "cohorts/daydream-pilot/membership.csv", "cohorts/daydream-pilot/manifest.json"]) {
    fs.rmSync(path.join(root, generated), { recursive: true, force: true })
  }
  return { root, cleanup: () => removeTree(dir) }
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

/**
 * A data root whose catalogs cover a generated cohort `synthetic` of
 * combos × 4 draft templates × 2 LLMs → 5 essay templates → 10 evaluation templates × 3 judges.
 */
export const syntheticDataRoot = (combos: number): { root: string; cleanup: () => Promise<void>; rows: number } => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cohort-synth-"))
  const root = path.join(dir, "data")
  const spec = path.join(root, "cohorts", "synthetic", "spec")
  fs.mkdirSync(path.join(root, "1_raw"), { recursive: true })
  fs.mkdirSync(spec, { recursive: true })
  const comboIds = Array.from({ length: combos }, (_, i) => `combo_${String(i).padStart(4, "0")}`)
  fs.writeFileSync(
    path.join(root, "combo_mappings.csv"),
    [
      "combo_id,version,concept_id,description_level,k_max,created_at",
      ...comboIds.map((c) => `${c},v1,concept,paragraph,2,2025-01-01T00:00:00`)
    ].join("\n") + "\n"
  )
  const list = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`)
  const templates = (file: string, ids: Array<string>) =>
    fs.writeFileSync(
      path.join(root, "1_raw", file),
      ["template_id,generator", ...ids.map((id) => `${id},llm`)].join("\n") + "\n"
    )
  templates("draft_templates.csv", list("dt-", 4))
  templates("essay_templates.csv", list("es-", 5))
  templates("evaluation_templates.csv", list("ev-", 10))
  fs.writeFileSync(path.join(root, "1_raw", "llm_models.csv"), ["id", "m1", "m2", "j1", "j2", "j3"].join("\n") + "\n")
  fs.writeFileSync(
    path.join(spec, "config.yaml"),
    [
      `axes:`,
      `  combo_id: [${comboIds.join(", ")}]`,
      `  draft_template: [${list("dt-", 4).join(", ")}]`,
      `  draft_llm: [m1, m2]`,
      `  essay_template: [${list("es-", 5).join(", ")}]`,
      `  essay_llm: [m1]`,
      `  evaluation_template: [${list("ev-", 10).join(", ")}]`,
      `  evaluation_llm: [j1, j2, j3]`,
      `output:`,
      `  field_order: [combo_id, draft_template, draft_llm, essay_template, essay_llm, evaluation_template, evaluation_llm]`
    ].join("\n") + "\n"
  )
  const drafts = combos * 8
  return { root, cleanup: () => removeTree(dir), rows: drafts + drafts * 5 + drafts * 5 * 30 }
}

/** Temp files and locks a build may leave: none should survive a finished or interrupted build. */
export const leftovers = (root: string): Array<string> => listFiles(root).filter(isLeftover)

const isLeftover = (file: string): boolean => /\.tmp$|(^|\/)\.lock$/.test(file)

/**
 * A SIGKILL between hard-linking a metadata file and unlinking its temp file leaves that dot-named
 * temp file beside the complete metadata. These are the temp files that are not such.
 */
export const strayTemps = (root: string): Array<string> =>
  leftovers(root).filter((file) => {
    const m = /^(gens\/[^/]+\/[^/]+)\/\.metadata\.json\.\d+\.(?:[0-9a-f]{8}-)?\d+\.tmp$/.exec(file)
    return m === null || !fs.existsSync(path.join(root, m[1]!, "metadata.json"))
  })

/** `snapshot` without the temp files `strayTemps` tolerates. */
export const artifactSnapshot = (root: string): Map<string, string> =>
  new Map(Array.from(snapshot(root)).filter(([file]) => !isLeftover(file)))

/**
 * Fresh copies of the example data root for one test file, removed after each test:
 * call in the file's top level, then `fresh()` in a test.
 */
export const useExampleDataRoots = (afterEach: (f: () => Promise<void>) => void): { fresh: () => string } => {
  let cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    const done = cleanups
    cleanups = []
    await Promise.all(done.map((c) => c()))
  })
  return {
    fresh: () => {
      const { cleanup, root } = copyExampleDataRoot()
      cleanups.push(cleanup)
      return root
    }
  }
}
