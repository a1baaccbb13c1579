import { describe, expect, it } from "@effect/vitest"
import * as aq from "arquero"
import { FastCheck as fc } from "effect"
import type { ColumnTable } from "../../src/domain/Frame.js"
import { columnValues } from "../../src/layers/FileSystemArtifactStore.js"

/**
 * The artifact store reads a membership's columns without copying them when it can (`columnValues`): for
 * every table, whether its rows are filtered, reordered or sliced, the values are those of `table.array`.
 * The seed is fixed so a failure replays.
 */

const rows = fc.array(fc.record({ id: fc.string(), n: fc.integer({ min: -5, max: 5 }) }), { maxLength: 30 })

describe("columnValues", () => {
  it.prop("gives what table.array gives, for plain, filtered, reordered and sliced tables", [
    rows,
    fc.nat({ max: 30 }),
    fc.nat({ max: 30 })
  ], ([records, from, count]) => {
    const plain = aq.table({ id: records.map((r) => r.id), n: records.map((r) => r.n) })
    const tables = [
      plain,
      plain.filter((d: { n: number }) => d.n > 0),
      plain.orderby("n"),
      plain.slice(from, from + count),
      plain.orderby(aq.desc("id")).filter((d: { n: number }) => d.n !== 0)
    ] as unknown as Array<ColumnTable>
    for (const table of tables) {
      for (const name of ["id", "n"]) {
        expect(Array.from(columnValues(table, name))).toEqual(Array.from(table.array(name)))
      }
    }
  }, { fastCheck: { numRuns: 200, seed: 1801 } })

  it("reads the column of a plain table in place, without a copy", () => {
    const ids = ["a", "b", "c"]
    expect(columnValues(aq.table({ id: ids }) as unknown as ColumnTable, "id")).toBe(ids)
  })
})
