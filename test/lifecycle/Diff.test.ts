import { afterEach, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import * as path from "node:path"
import { cohortDiff } from "../../src/index.js"
import { useExampleDataRoots } from "../support/DataRoots.js"
import { repoRoot } from "../support/Fixtures.js"
import { addPilotB, buildOn, membershipOf, onRoot, writeGenerationFiles } from "./LifecycleRoots.js"

const { fresh } = useExampleDataRoots(afterEach)
const diff = (root: string, a: string, b: string) => onRoot(root, cohortDiff(a, b, { dataRoot: root }))
const pilotSpec = (root: string) => path.join(root, "cohorts", "daydream-pilot", "spec", "config.yaml")

describe("cohort diff", () => {
  it.effect("two spec files: generations per stage, templates and levels removed, no new calls for a subset", () =>
    Effect.gen(function*() {
      const root = fresh()
      const b = addPilotB(root)
      const d = yield* diff(root, pilotSpec(root), b)
      expect([d.stages.draft.shared.length, d.stages.essay.shared.length]).toEqual([16, 24])
      expect(d.stages.evaluation.onlyInA).toHaveLength(144)
      expect(d.stages.evaluation.onlyInB).toEqual([])
      expect(d.stages.evaluation.shared).toHaveLength(48)
      expect(d.templates.evaluation).toEqual({ added: [], removed: ["daydreaming-verification-v3"] })
      expect(d.models.evaluation).toEqual({ added: [], removed: [] })
      expect(d.axes?.["evaluation_replicate"]).toEqual({ added: [], removed: ["2"] })
      expect(d.newLlmCalls.total).toBe(0)
    }))

  it.effect("the calls b needs beyond a are counted against the store", () =>
    Effect.gen(function*() {
      const root = fresh()
      addPilotB(root)
      yield* buildOn(root, "pilot-b")
      yield* buildOn(root, "daydream-pilot")
      const d = yield* diff(root, "pilot-b", "daydream-pilot")
      expect(d.a.source).toBe("membership")
      expect(d.stages.evaluation.onlyInB).toHaveLength(144)
      expect(d.newLlmCalls.byStage).toEqual({ draft: 0, essay: 0, evaluation: 144 })
      expect(d.templates.evaluation.added).toEqual(["daydreaming-verification-v3"])
      // Two of the new evaluations already ran (raw.txt): two calls fewer.
      const extra = d.stages.evaluation.onlyInB
      writeGenerationFiles(root, "evaluation", extra[0]!, ["raw.txt"])
      writeGenerationFiles(root, "evaluation", extra[1]!, ["raw.txt", "parsed.txt"])
      const after = yield* diff(root, "pilot-b", "daydream-pilot")
      expect(after.newLlmCalls.total).toBe(142)
      expect(Object.values(after.newLlmCalls.byModel.evaluation).reduce((x, y) => x + y, 0)).toBe(142)
      expect(membershipOf(root, "pilot-b")).toHaveLength(16 + 24 + 48)
    }))

  it.effect("a cohort id naming a path is refused", () =>
    Effect.gen(function*() {
      const root = fresh()
      const error = yield* Effect.flip(diff(root, "daydream-pilot", "../x"))
      expect(error._tag).toBe("InvalidConstraint")
    }))

  it("the CLI prints a summary, and the id lists with --json", () => {
    const root = fresh()
    const b = addPilotB(root)
    const cli = path.join(repoRoot, "dist", "main.js")
    const text = execFileSync("node", [cli, "diff", "daydream-pilot", b, "--data-root", root], { encoding: "utf8" })
    expect(text).toContain(`evaluation templates: -"daydreaming-verification-v3"`)
    expect(text).toContain("b needs 0 LLM calls beyond a")
    const out = JSON.parse(
      execFileSync("node", [cli, "diff", b, "daydream-pilot", "--data-root", root, "--json"], { encoding: "utf8" })
    )
    expect(out.result.stages.evaluation.only_in_b).toHaveLength(144)
    expect(out.result.new_llm_calls.total).toBe(144)
  })
})
