import { afterEach, describe, expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { useExampleDataRoots } from "../support/DataRoots.js"
import { repoRoot } from "../support/Fixtures.js"

const { fresh } = useExampleDataRoots(afterEach)
const cli = path.join(repoRoot, "dist", "main.js")
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== "COHORT_DATA_ROOT"))
const run = (args: ReadonlyArray<string>) => {
  const out = spawnSync("node", [cli, ...args], { encoding: "utf8", env })
  expect(out.status, out.stderr).toBe(0)
  return out.stdout
}
/** A plan's CSV cut to the columns membership.csv keeps: `stage,gen_id`. */
const slim = (csv: string) => csv.split("\n").map((line) => line.split(",").slice(0, 2).join(",")).join("\n")
/** Every file under a folder, with its bytes. */
const snapshot = (dir: string): Record<string, string> =>
  Object.fromEntries(
    (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as Array<fs.Dirent>)
      .filter((e) => e.isFile())
      .map((e) => {
        const file = path.join(e.parentPath, e.name)
        return [file, fs.readFileSync(file, "utf8")]
      })
  )

describe("cohort plan --data-root", () => {
  it("shows the ids a build there writes: an id a collision moved stays moved, nothing is written", () => {
    const root = fresh()
    const spec = path.join(root, "cohorts", "daydream-pilot", "spec", "config.yaml")
    const pure = run(["plan", spec, "--cohort-id", "daydream-pilot"])
    // Another signature's metadata where the first draft's pure id would go: the build takes the next candidate.
    const draftId = pure.split("\n")[1]!.split(",")[1]!
    fs.mkdirSync(path.join(root, "gens", "draft", draftId), { recursive: true })
    fs.writeFileSync(
      path.join(root, "gens", "draft", draftId, "metadata.json"),
      JSON.stringify({ stage: "draft", gen_id: draftId, combo_id: "other", template_id: "t", llm_model_id: "m" })
    )
    run(["build", "daydream-pilot", "--data-root", root])
    const membership = fs.readFileSync(path.join(root, "cohorts", "daydream-pilot", "membership.csv"), "utf8")
    expect(membership).not.toContain(`draft,${draftId}\n`)
    const before = snapshot(path.join(root, "gens"))
    const planned = run(["plan", spec, "--cohort-id", "daydream-pilot", "--data-root", root])
    expect(slim(planned)).toBe(membership)
    expect(snapshot(path.join(root, "gens"))).toEqual(before)
    // Without a data root: pure ids, as on an empty store (the moved draft and its descendants differ).
    const again = run(["plan", spec, "--cohort-id", "daydream-pilot"])
    expect(again).toBe(pure)
    expect(slim(again)).not.toBe(membership)
    expect(slim(again)).toContain(`draft,${draftId}\n`)
  })

  it("over a data root whose store is empty: the same bytes as without one", () => {
    const root = fresh()
    const spec = path.join(root, "cohorts", "daydream-pilot", "spec", "config.yaml")
    expect(run(["plan", spec, "--cohort-id", "daydream-pilot", "--data-root", root])).toBe(
      run(["plan", spec, "--cohort-id", "daydream-pilot"])
    )
  })
})
