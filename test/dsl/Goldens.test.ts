import { NodeContext } from "@effect/platform-node"
import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import { csvLine } from "../../src/engine/RowFormat.js"
import {
  compileDesign,
  definitionFromDesignRows,
  type Design,
  generateMembership,
  makeInMemoryRegistry,
  MEMBERSHIP_COLUMNS,
  parseSpec,
  rowAt
} from "../../src/index.js"
import { fixturePath, goldenCases, membershipCsv, readText } from "../support/Fixtures.js"

const designCsv = (design: Design) => {
  let out = csvLine(design.columns)
  design.forEachRow((row) => {
    out += csvLine(row)
  })
  return out
}

layer(NodeContext.layer)("spec goldens", (it) => {
  for (const name of goldenCases) {
    const dir = fixturePath("spec-golden", name)
    const variants: Array<{ seed?: number; suffix: string; cohortId: string }> = [
      { suffix: "", cohortId: `golden-${name}` },
      ...(fs.existsSync(`${dir}/expected_design_seed7.csv`)
        ? [{ seed: 7, suffix: "_seed7", cohortId: "golden-seeded" }]
        : [])
    ]
    describe(name, () => {
      for (const { cohortId, seed, suffix } of variants) {
        it.effect(`design${suffix} matches byte for byte`, () =>
          Effect.gen(function*() {
            const spec = yield* parseSpec(`${dir}/config.yaml`)
            const design = yield* compileDesign(spec, seed === undefined ? {} : { seed })
            expect(designCsv(design)).toBe(readText(`${dir}/expected_design${suffix}.csv`))
          }))
        const membershipFile = `${dir}/expected_membership${suffix}.csv`
        if (fs.existsSync(membershipFile)) {
          it.effect(`membership${suffix} matches byte for byte`, () =>
            Effect.gen(function*() {
              const spec = yield* parseSpec(`${dir}/config.yaml`)
              const design = yield* compileDesign(spec, seed === undefined ? {} : { seed })
              const definition = yield* definitionFromDesignRows(design)
              const rows = yield* generateMembership(definition, cohortId, yield* makeInMemoryRegistry)
              const records = rows.genId.map((_, i) => rowAt(rows, i))
              expect(membershipCsv(records, MEMBERSHIP_COLUMNS)).toBe(readText(membershipFile))
            }))
        }
      }
    })
  }
})
