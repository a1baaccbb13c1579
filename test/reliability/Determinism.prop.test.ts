import { NodeContext } from "@effect/platform-node"
import { afterEach, describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck as fc, Layer } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { buildCohortMembership, dataRootLayer } from "../../src/index.js"
import { snapshot } from "../support/DataRoots.js"

let cleanups: Array<() => void> = []
afterEach(() => {
  cleanups.forEach((c) => c())
  cleanups = []
})

const csv = (header: string, rows: Array<string>) => [header, ...rows].join("\n") + "\n"

/** A data root for a small generated cohort, with catalog rows in the given order. */
const makeRoot = (spec: string, order: (rows: Array<string>) => Array<string>) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cohort-determinism-"))
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }))
  fs.mkdirSync(path.join(dir, "1_raw"))
  fs.mkdirSync(path.join(dir, "cohorts", "p", "spec"), { recursive: true })
  fs.writeFileSync(path.join(dir, "cohorts", "p", "spec", "config.yaml"), spec)
  fs.writeFileSync(
    path.join(dir, "combo_mappings.csv"),
    csv(
      "combo_id,version,concept_id,description_level,k_max,created_at",
      order(["c1", "c2", "c3"].flatMap((c) => [`${c},v1,x,p,2,t`, `${c},v2,y,p,2,t`]))
    )
  )
  const templates = (file: string, ids: Array<string>) =>
    fs.writeFileSync(
      path.join(dir, "1_raw", file),
      csv("template_id,generator", order(ids.map((id, i) => `${id},${i % 2 ? "copy" : "llm"}`)))
    )
  templates("draft_templates.csv", ["d1", "d2", "d3"])
  templates("essay_templates.csv", ["e1", "e2"])
  templates("evaluation_templates.csv", ["v1", "v2", "v3"])
  fs.writeFileSync(path.join(dir, "1_raw", "llm_models.csv"), csv("id", order(["m1", "m2", "j1", "j2"])))
  fs.writeFileSync(
    path.join(dir, "1_raw", "replication_config.csv"),
    csv("stage,replicates", ["draft,1", "evaluation,2"])
  )
  return dir
}

const subsetOf = (values: Array<string>) => fc.subarray(values, { minLength: 1 })

describe("determinism", () => {
  it.effect.prop(
    "the same spec gives byte-identical artifacts whatever the catalogs' row order (file system order)",
    [
      subsetOf(["c1", "c2", "c3"]),
      subsetOf(["d1", "d2", "d3"]),
      subsetOf(["e1", "e2"]),
      subsetOf(["v1", "v2", "v3"]),
      subsetOf(["j1", "j2"]),
      fc.integer()
    ],
    ([combos, drafts, essays, evals, judges, seed]) =>
      Effect.gen(function*() {
        const spec = [
          `axes:`,
          `  combo_id: [${combos.join(", ")}]`,
          `  draft_template: [${drafts.join(", ")}]`,
          `  draft_llm: [m1, m2]`,
          `  essay_template: [${essays.join(", ")}]`,
          `  essay_llm: [m1]`,
          `  evaluation_template: [${evals.join(", ")}]`,
          `  evaluation_llm: [${judges.join(", ")}]`,
          `output: {field_order: [combo_id, draft_template]}`
        ].join("\n") + "\n"
        const shuffle = (rows: Array<string>) => {
          const out = [...rows]
          let s = seed >>> 0
          for (let i = out.length - 1; i > 0; i--) {
            s = (Math.imul(s, 1103515245) + 12345) >>> 0
            const j = s % (i + 1)
            ;[out[i], out[j]] = [out[j]!, out[i]!]
          }
          return out
        }
        const a = makeRoot(spec, (rows) => rows)
        const b = makeRoot(spec, shuffle)
        for (const root of [a, b]) {
          yield* buildCohortMembership("p").pipe(
            Effect.provide(dataRootLayer(root).pipe(Layer.provide(NodeContext.layer)))
          )
        }
        const generated = (root: string) =>
          new Map(
            Array.from(snapshot(root)).filter(([file]) =>
              file.startsWith("gens/") ||
              /\.(csv|json)$/.test(file) && file.startsWith("cohorts/p/") && !file.includes("/spec/")
            )
          )
        expect(generated(b)).toEqual(generated(a))
        expect(generated(a).size).toBeGreaterThan(2)
      }),
    { fastCheck: { numRuns: 15, seed: 1202 } }
  )
})
