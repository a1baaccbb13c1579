import { afterEach, describe, expect, it } from "@effect/vitest"
import { parse } from "csv-parse/sync"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { membershipSource } from "../../src/engine/MembershipSource.js"
import {
  computeGenId,
  definitionFromDesignRows,
  GenIdHasher,
  GensStore,
  makeInMemoryRegistry
} from "../../src/index.js"
import { makeDiskRegistry } from "../../src/layers/DiskRegistryFactory.js"
import type { GenerationRegistry } from "../../src/services/GenerationRegistry.js"
import { useTempRoots } from "../support/DataRoots.js"

const tempRoot = useTempRoots(afterEach, "cohort-pure-ids-")

// Unique entries, distinct texts, no `|`: evaluations the streaming fast path would make itself.
const rows = ["j1", "j2", "j3"].map((judge) => ({
  combo_id: "c1",
  draft_template: "dt",
  draft_llm: "m1",
  essay_template: "et",
  essay_llm: "m1",
  evaluation_template: "vt",
  evaluation_llm: judge
}))

const streamedCsv = (registry: GenerationRegistry) =>
  Effect.gen(function*() {
    const definition = yield* definitionFromDesignRows(rows)
    const chunks: Array<Uint8Array> = []
    yield* membershipSource("csv", definition, "cohort", registry, yield* GenIdHasher)((chunk) =>
      Effect.sync(() => {
        chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk)
      })
    )
    return parse(Buffer.concat(chunks).toString("utf8"), { columns: true }) as Array<Record<string, string>>
  })

describe("the registry says whether its ids are pure", () => {
  it.effect("the in-memory registry's are, the disk registry's are not", () =>
    Effect.gen(function*() {
      expect((yield* makeInMemoryRegistry).pureIds).toBe(true)
      const disk = yield* Effect.flatMap(GensStore, (gens) => makeDiskRegistry(gens)).pipe(
        Effect.provide(GensStore.layer(tempRoot()))
      )
      expect(disk.pureIds).toBe(false)
    }))

  it.effect("streaming with the disk registry never bypasses it: a taken evaluation id moves to -1", () =>
    Effect.gen(function*() {
      const pure = yield* streamedCsv(yield* makeInMemoryRegistry)
      const evaluations = pure.filter((r) => r["stage"] === "evaluation")
      expect(evaluations).toHaveLength(3)
      const root = tempRoot()
      // Another generation's metadata in the folders of the second and third evaluation ids.
      for (const taken of evaluations.slice(1)) {
        const dir = path.join(root, "gens", "evaluation", taken["gen_id"]!)
        fs.mkdirSync(dir, { recursive: true })
        fs.writeFileSync(
          path.join(dir, "metadata.json"),
          JSON.stringify({ parent_gen_id: "e_other", template_id: "x", llm_model_id: "y", replicate: 1 })
        )
      }
      const disk = yield* Effect.flatMap(GensStore, (gens) => makeDiskRegistry(gens)).pipe(
        Effect.provide(GensStore.layer(root))
      )
      const resolved = (yield* streamedCsv(disk)).filter((r) => r["stage"] === "evaluation")
      expect(resolved[0]!["gen_id"]).toBe(evaluations[0]!["gen_id"])
      for (let i = 1; i < 3; i++) {
        const parts = [resolved[i]!["parent_gen_id"]!, "vt", `j${i + 1}`, 1]
        expect(resolved[i]!["gen_id"]).toBe(yield* computeGenId("evaluation", parts, 1))
        expect(resolved[i]!["gen_id"]).toMatch(/-1$/)
      }
    }))
})
