import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { copyExampleDataRoot } from "../support/DataRoots.js"
import { repoRoot } from "../support/Fixtures.js"
import { pilotSpecObject, postJson, request, startService } from "./Service.js"

const COHORT = "daydream-pilot"
const main = path.join(repoRoot, "dist", "main.js")

const withService = <A, E>(f: (url: string, root: string) => Effect.Effect<A, E>) =>
  Effect.acquireUseRelease(
    Effect.sync(copyExampleDataRoot),
    ({ root }) => Effect.scoped(Effect.flatMap(startService({ dataRoot: root }), (url) => f(url, root))),
    ({ cleanup }) => Effect.sync(cleanup)
  )

/** What `cohort validate --json` lists for the same cohort: each problem's severity, tag and sentence. */
const cliProblems = (root: string) => {
  const run = spawnSync(process.execPath, [main, "validate", COHORT, "--data-root", root, "--json"], {
    encoding: "utf8"
  })
  expect(run.status).toBe(1)
  const out = JSON.parse(run.stdout)
  expect(out.ok).toBe(false)
  return (out.problems as Array<Record<string, unknown>>).map((p) => [p["severity"], p["_tag"], p["message"]])
}
const shapeOf = (problems: Array<Record<string, unknown>>) =>
  problems.map((p) => [p["severity"], p["_tag"], p["message"]])

const editSpec = (root: string, edit: (text: string) => string) => {
  const spec = path.join(root, "cohorts", COHORT, "spec", "config.yaml")
  fs.writeFileSync(spec, edit(fs.readFileSync(spec, "utf8")))
}

describe("the validate endpoints list every problem, as cohort validate --json does", () => {
  it.live("POST /cohorts/:id/validate: every catalog problem and gap, in the CLI's order; the first error on top", () =>
    withService((url, root) =>
      Effect.gen(function*() {
        fs.rmSync(path.join(root, "1_raw", "essay_templates.csv"))
        editSpec(
          root,
          (t) => t.replace("evaluation_llm: [sonnet-4, gemini_25_pro]", "evaluation_llm: [sonnet-4, ghost]")
        )
        const reply = yield* request(`${url}/cohorts/${COHORT}/validate`)
        expect(reply.status).toBe(409)
        expect(reply.json).toMatchObject({ ok: false, _tag: "CatalogMissing", slice: "essay_templates" })
        const problems = reply.json.problems as Array<Record<string, unknown>>
        expect(problems.map((p) => p["_tag"])).toEqual(["CatalogMissing", "CoverageGap"])
        expect(problems[1]).toMatchObject({ severity: "error", stage: "evaluation", missing: ["ghost"] })
        expect(shapeOf(problems)).toEqual(cliProblems(root))
      })
    ))

  it.live("POST /cohorts/:id/validate: every independent spec error, in spec order", () =>
    withService((url, root) =>
      Effect.gen(function*() {
        editSpec(root, (t) =>
          t.replace("'@file:items/combos.csv'", "'@file:items/combo.csv'").replace(
            "  subsets:\n    draft_template:",
            "  subsets:\n    draft_templates:"
          ))
        const reply = yield* request(`${url}/cohorts/${COHORT}/validate`)
        expect(reply.status).toBe(422)
        expect(reply.json).toMatchObject({ ok: false, _tag: "InvalidSpec", key: "axes.combo_id" })
        const problems = reply.json.problems as Array<Record<string, unknown>>
        expect(problems.map((p) => p["key"])).toEqual(["axes.combo_id", "rules.subsets.draft_templates"])
        expect(shapeOf(problems)).toEqual(cliProblems(root))
      })
    ))

  it.live("POST /cohorts/:id/validate: warnings are the problems of a strict run; a clean cohort is ok: true", () =>
    withService((url, root) =>
      Effect.gen(function*() {
        const clean = yield* request(`${url}/cohorts/${COHORT}/validate`)
        expect(clean.status).toBe(200)
        expect(clean.json).toMatchObject({ ok: true, problems: [], rowCount: 232 })
        editSpec(root, (t) => t.replaceAll("evaluation_replicate", "evaluation_replicates"))
        const reply = yield* request(`${url}/cohorts/${COHORT}/validate`)
        expect(reply.status).toBe(422)
        expect(reply.json).toMatchObject({ ok: false, _tag: "InvalidConstraint", constraint: "strict-warnings" })
        expect(reply.json.problems.every((p: { severity: string }) => p.severity === "warning")).toBe(true)
        expect(reply.json.problems[0].message).toContain(`design column "evaluation_replicates" is read by no stage`)
        expect(reply.json.problems.map((p: { message: string }) => p.message)).toEqual(
          cliProblems(root).map((p) => p[2])
        )
        const missing = yield* request(`${url}/cohorts/nope/validate`)
        expect(missing.status).toBe(404)
        expect(missing.json).toMatchObject({ ok: false, _tag: "SpecNotFound", problems: [{ _tag: "SpecNotFound" }] })
      })
    ))

  it.live("POST /specs/validate: every include, else every spec error of the object, in spec order", () =>
    withService((url) =>
      Effect.gen(function*() {
        const includes = yield* postJson(`${url}/specs/validate`, {
          ...pilotSpecObject,
          axes: { ...pilotSpecObject.axes, combo_id: "@file:a.csv", draft_llm: "@file:b.txt" }
        })
        expect(includes.status).toBe(422)
        expect(includes.json).toMatchObject({ ok: false, _tag: "InvalidSpec", key: "axes.combo_id" })
        expect(includes.json.problems.map((p: { key: string }) => p.key)).toEqual(["axes.combo_id", "axes.draft_llm"])
        const typos = yield* postJson(`${url}/specs/validate`, {
          ...pilotSpecObject,
          outptu: {},
          rules: { ...pilotSpecObject.rules, subsets: { draft_templates: ["creative-synthesis-v10"] } }
        })
        expect(typos.status).toBe(422)
        expect(typos.json.ok).toBe(false)
        // In the order their places appear in the body (the spread keeps `rules` before `outptu`); the error
        // the parse stopped at (on top) is one of them.
        const keys = typos.json.problems.map((p: { key: string }) => p.key)
        expect(keys).toEqual(["rules.subsets.draft_templates", "outptu"])
        expect(typos.json.key).toBe("outptu")
        expect(typos.json.problems.every((p: { severity: string }) => p.severity === "error")).toBe(true)
        const fine = yield* postJson(`${url}/specs/validate`, pilotSpecObject)
        expect(fine.json).toMatchObject({ ok: true, valid: true, problems: [] })
        const malformed = yield* request(`${url}/specs/validate`, { body: "not json" })
        expect(malformed.status).toBe(400)
        expect(malformed.json).toMatchObject({
          ok: false,
          _tag: "MalformedBody",
          problems: [{ _tag: "MalformedBody" }]
        })
      })
    ))
})
