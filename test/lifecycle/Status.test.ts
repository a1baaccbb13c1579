import { afterEach, describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit } from "effect"
import { execFileSync, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { cohortStatus, GensStore } from "../../src/index.js"
import { useExampleDataRoots } from "../support/DataRoots.js"
import { repoRoot } from "../support/Fixtures.js"
import { addPilotB, buildOn, membershipOf, onRoot, writeGenerationFiles } from "./LifecycleRoots.js"

const { fresh } = useExampleDataRoots(afterEach)
const status = (root: string, target: string, listMissing = false) =>
  onRoot(root, cohortStatus(target, { dataRoot: root, listMissing }))

describe("cohort status", () => {
  it.effect("reads gens/ through the GensStore of its context: one of another data root is a defect", () =>
    Effect.gen(function*() {
      const root = fresh()
      const other = path.join(root, "other\n\u001b[2Jroot")
      const exit = yield* Effect.exit(
        onRoot(root, cohortStatus("daydream-pilot", { dataRoot: root }).pipe(Effect.provide(GensStore.layer(other))))
      )
      expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
      const message = Exit.isFailure(exit) ? Cause.pretty(exit.cause).split("\n")[0]! : ""
      expect(message).toContain("was given the GensStore of another data root")
      expect(message).toContain("other\\u000a\\u001b[2Jroot")
      expect(message).not.toContain("\u001b")
    }))

  it.effect("of a spec not built yet: every generation is missing and costs a call, except copy-mode essays", () =>
    Effect.gen(function*() {
      const root = fresh()
      const s = yield* status(root, "daydream-pilot")
      expect(s.source).toBe("spec")
      expect([s.stages.draft.members, s.stages.essay.members, s.stages.evaluation.members]).toEqual([16, 24, 192])
      expect(s.stages.evaluation.withMetadata).toBe(0)
      // parsed-from-links-v1 is the catalog's copy-mode essay template: 8 essays need no call.
      expect(s.stages.essay.copyPending).toBe(8)
      expect(s.stages.essay.llmCalls).toBe(16)
      expect(s.stages.essay.llmCallsByModel).toEqual({ gemini_25_pro: 8, "sonnet-4": 8 })
      expect(s.stages.evaluation.llmCallsByModel).toEqual({ gemini_25_pro: 96, "sonnet-4": 96 })
      expect(s.llmCalls).toBe(16 + 16 + 192)
      // The same spec named as a file gives the same answer.
      const byFile = yield* status(root, path.join(root, "cohorts", "daydream-pilot", "spec", "config.yaml"))
      expect(byFile.cohortId).toBe("daydream-pilot")
      expect(byFile.stages).toEqual(s.stages)
    }))

  it.effect("of a built cohort: counts metadata, raw.txt and parsed.txt; raw or parsed means no call", () =>
    Effect.gen(function*() {
      const root = fresh()
      yield* buildOn(root, "daydream-pilot")
      const members = membershipOf(root, "daydream-pilot")
      const drafts = members.filter((m) => m.stage === "draft").map((m) => m.genId)
      const evaluations = members.filter((m) => m.stage === "evaluation").map((m) => m.genId)
      writeGenerationFiles(root, "draft", drafts[0]!, ["prompt.txt", "raw.txt", "parsed.txt", "raw_metadata.json"])
      writeGenerationFiles(root, "draft", drafts[1]!, ["prompt.txt", "raw.txt"])
      writeGenerationFiles(root, "evaluation", evaluations[5]!, ["parsed.txt"])
      const s = yield* status(root, "daydream-pilot", true)
      expect(s.source).toBe("membership")
      expect(s.stages.draft).toMatchObject({
        members: 16,
        withMetadata: 16,
        withRaw: 2,
        withParsed: 1,
        missing: 15,
        llmCalls: 14
      })
      expect(s.stages.evaluation).toMatchObject({ withParsed: 1, missing: 191, llmCalls: 191 })
      expect(s.missingIds?.draft).toHaveLength(15)
      expect(s.missingIds?.draft).not.toContain(drafts[0])
      expect(s.missingIds?.draft).toContain(drafts[1])
      expect(s.missingIds?.evaluation).not.toContain(evaluations[5])
      expect(s.sharedWith).toEqual({})
    }))

  it.effect("reports generations another cohort's membership.csv lists too", () =>
    Effect.gen(function*() {
      const root = fresh()
      addPilotB(root)
      yield* buildOn(root, "daydream-pilot")
      // Not built yet: pilot-b's membership is not counted as a reference.
      expect((yield* status(root, "daydream-pilot")).sharedWith).toEqual({})
      yield* buildOn(root, "pilot-b")
      const s = yield* status(root, "daydream-pilot")
      expect([s.stages.draft.shared, s.stages.essay.shared, s.stages.evaluation.shared]).toEqual([16, 24, 48])
      expect(s.sharedWith).toEqual({ "pilot-b": 16 + 24 + 48 })
      const b = yield* status(root, "pilot-b")
      expect(b.sharedWith).toEqual({ "daydream-pilot": 16 + 24 + 48 })
    }))

  it.effect("refuses cohort ids that would name a path outside cohorts/, and unknown cohorts", () =>
    Effect.gen(function*() {
      const root = fresh()
      const bad = yield* Effect.flip(status(root, "../daydream-pilot"))
      expect(bad._tag).toBe("InvalidConstraint")
      const missing = yield* Effect.flip(status(root, "no-such-cohort"))
      expect(missing._tag).toBe("SpecNotFound")
    }))

  it.effect("a membership.csv row naming a path is refused with the line", () =>
    Effect.gen(function*() {
      const root = fresh()
      yield* buildOn(root, "daydream-pilot")
      const file = path.join(root, "cohorts", "daydream-pilot", "membership.csv")
      fs.appendFileSync(file, "draft,../../etc\n")
      const error = yield* Effect.flip(status(root, "daydream-pilot"))
      expect(error).toMatchObject({ _tag: "MembershipInvalid", path: file, line: 234 })
    }))

  it.effect("a membership.csv with a BOM or text beyond ASCII reads as the same members", () =>
    Effect.gen(function*() {
      const root = fresh()
      yield* buildOn(root, "daydream-pilot")
      const file = path.join(root, "cohorts", "daydream-pilot", "membership.csv")
      const before = yield* status(root, "daydream-pilot")
      const text = fs.readFileSync(file, "utf8")
      // The combo column's text changes nothing a status counts: the ids and stages are what it reads.
      const [header, first, ...rest] = text.split("\n")
      const combo = header!.split(",").indexOf("combo_id")
      const cells = first!.split(",")
      cells[combo] = "cömbo-ü"
      fs.writeFileSync(file, `\uFEFF${[header, cells.join(","), ...rest].join("\n")}`)
      const after = yield* status(root, "daydream-pilot")
      expect(after.stages).toEqual(before.stages)
      expect(after.source).toBe("membership")
    }))

  it("the CLI prints the status as JSON, and a bounded list of missing ids in text", () => {
    const root = fresh()
    const cli = path.join(repoRoot, "dist", "main.js")
    const out = JSON.parse(
      execFileSync("node", [cli, "status", "daydream-pilot", "--data-root", root, "--json", "--list-missing"], {
        encoding: "utf8"
      })
    )
    expect(out.ok).toBe(true)
    expect(out.result.missing_ids.evaluation).toHaveLength(192)
    const text = execFileSync("node", [cli, "status", "daydream-pilot", "--data-root", root, "--list-missing"], {
      encoding: "utf8"
    })
    expect(text).toContain("next run: 224 LLM calls")
    expect(text).toContain("… and 172 more (--json lists all)")
  })

  /** A spec file beside the data root whose second draft replicate is 0 (written inline, or in an include). */
  const badSpec = (root: string, inline: boolean) => {
    const dir = path.join(root, "specs", inline ? "inline" : "included")
    fs.mkdirSync(path.join(dir, "items"), { recursive: true })
    fs.writeFileSync(path.join(dir, "items", "reps.csv"), "draft_replicate\n1\n2\n0\n")
    const file = path.join(dir, "config.yaml")
    fs.writeFileSync(
      file,
      [
        "axes:",
        "  combo_id: [combo_001]",
        "  draft_template: [creative-synthesis-v10]",
        "  draft_llm: [sonnet-4]",
        "  essay_template: [creative-synthesis-v10]",
        "  essay_llm: [sonnet-4]",
        "  evaluation_template: [novelty-v2]",
        "  evaluation_llm: [sonnet-4]",
        inline ? "  draft_replicate: [1, 0]" : "  draft_replicate: '@file:items/reps.csv'",
        "output:",
        "  field_order: [combo_id]"
      ].join("\n") + "\n"
    )
    return file
  }

  it.effect("of a spec file with a bad value: the error names where the spec wrote it, as build and validate do", () =>
    Effect.gen(function*() {
      const root = fresh()
      const error = yield* Effect.flip(status(root, badSpec(root, true)))
      expect(error._tag).toBe("InvalidSpec")
      expect(error).toMatchObject({ key: "axes.draft_replicate[1]", hint: "design row 2, column draft_replicate" })
      const included = yield* Effect.flip(status(root, badSpec(root, false)))
      expect(included).toMatchObject({
        _tag: "InvalidSpec",
        key: "axes.draft_replicate[2]",
        hint: "from @file:items/reps.csv, design row 3, column draft_replicate; line 4 of items/reps.csv"
      })
    }))

  it("cohort status <spec-file> prints that location and exits 1", () => {
    const root = fresh()
    const cli = path.join(repoRoot, "dist", "main.js")
    const run = spawnSync("node", [cli, "status", badSpec(root, true), "--data-root", root], { encoding: "utf8" })
    expect(run.status).toBe(1)
    expect(run.stderr).toContain("axes.draft_replicate[1]: replicate must be a whole number of at least 1")
  })
})
