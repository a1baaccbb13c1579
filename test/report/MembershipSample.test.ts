import { describe, expect, it } from "@effect/vitest"
import { emptyMembershipRows } from "../../src/domain/MembershipRows.js"
import type { Stage } from "../../src/domain/Stage.js"
import { lineageOf } from "../../src/report/Lineage.js"
import {
  FULL_TABLE_ROWS,
  SAMPLE_PER_STAGE,
  sampleIndexes,
  sampleMembership
} from "../../src/report/MembershipSample.js"

const rowsOfSize = (drafts: number, evaluationsPerDraft: number) => {
  const rows = emptyMembershipRows("c")
  const push = (stage: Stage, id: string, parent: string, template: string) => {
    rows.stage.push(stage)
    rows.genId.push(id)
    rows.parentGenId.push(parent)
    rows.comboId.push(stage === "draft" ? `combo-${id}` : "")
    rows.templateId.push(template)
    rows.llmModelId.push("m")
    rows.replicate.push(1)
    rows.counts[stage]++
  }
  for (let d = 0; d < drafts; d++) push("draft", `d${d}`, "", "dt")
  for (let d = 0; d < drafts; d++) push("essay", `e${d}`, `d${d}`, "es")
  for (let d = 0; d < drafts; d++) {
    for (let v = 0; v < evaluationsPerDraft; v++) push("evaluation", `v${d}-${v}`, `e${d}`, `ev-${v}`)
  }
  return rows
}

describe("the membership table's rows", () => {
  it("a sample: k distinct sorted indexes, the same each run, not aliased with the design's period", () => {
    for (const [n, k] of [[100_000, 400], [401, 400], [1_000, 1]] as const) {
      const s = sampleIndexes(n, k)
      expect(s).toHaveLength(k)
      expect(new Set(s).size).toBe(k)
      expect(s).toEqual([...s].sort((a, b) => a - b))
      expect(s.every((i) => Number.isInteger(i) && i >= 0 && i < n)).toBe(true)
      expect(sampleIndexes(n, k)).toEqual(s)
    }
    // Every residue of a period of 10 is drawn (a stride of n / k = 250 would hit one only).
    expect(new Set(sampleIndexes(100_000, 400).map((i) => i % 10)).size).toBe(10)
    expect(sampleIndexes(5, 9)).toEqual([0, 1, 2, 3, 4])
  })

  it("a small membership is shown whole; a large one as SAMPLE_PER_STAGE rows per stage, each a real row", () => {
    const small = rowsOfSize(10, 5)
    const whole = sampleMembership(small, lineageOf(small), undefined)
    expect(whole.sampled).toBe(false)
    expect(whole.rows.map((r) => r[1])).toEqual(small.genId)
    // combo_id is the draft's, also on essays and evaluations
    expect(whole.rows.find((r) => r[1] === "v3-2")![3]).toBe("combo-d3")

    const large = rowsOfSize(600, 10)
    expect(large.genId.length).toBeGreaterThan(FULL_TABLE_ROWS)
    const sample = sampleMembership(large, lineageOf(large), () => 0)
    expect(sample.sampled).toBe(true)
    expect(sample.perStage).toEqual({
      draft: { total: 600, shown: SAMPLE_PER_STAGE },
      essay: { total: 600, shown: SAMPLE_PER_STAGE },
      evaluation: { total: 6000, shown: SAMPLE_PER_STAGE }
    })
    expect(sample.rows).toHaveLength(3 * SAMPLE_PER_STAGE)
    const index = new Map(large.genId.map((id, i) => [id, i]))
    for (const r of sample.rows) {
      const i = index.get(r[1]!)!
      expect([r[0], r[2], r[4]]).toEqual([large.stage[i], large.parentGenId[i], large.templateId[i]])
      expect(r.at(-1)).toBe("none")
    }
    expect(new Set(sample.rows.filter((r) => r[0] === "evaluation").map((r) => r[4])).size).toBe(10)
  })
})
