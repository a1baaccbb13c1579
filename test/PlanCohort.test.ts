import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Ref } from "effect"
import {
  buildCohortMembership,
  type CohortMembershipMetadata,
  InMemoryArtifactStore,
  InvalidConstraint,
  MEMBERSHIP_COLUMNS,
  PersistedArtifacts,
  planCohort,
  validateCohort
} from "../src/index.js"
import { buildLayer, designRow, specOf } from "./support/Builds.js"

const pilot = specOf("pilot", [
  designRow(),
  designRow({ draft_template: "draft-b", essay_template: "essay-b" }),
  designRow({ combo_id: "combo-2", evaluation_llm: "j2" })
])
const twice = specOf("twice", [designRow()], { warnings: ["the spec repository warns"] })
const withStore = Layer.merge(buildLayer([pilot, twice]), InMemoryArtifactStore)

describe("planCohort and validateCohort", () => {
  it.effect("a plan returns the whole membership and the build's metadata, and never persists, even with a store", () =>
    Effect.gen(function*() {
      const plan = yield* planCohort("pilot", { previewRows: 2 })
      const build = yield* buildCohortMembership("pilot", { dryRun: true, previewRows: 2 })
      expect(yield* Ref.get(yield* PersistedArtifacts)).toHaveLength(0)
      expect(plan.artifacts).toEqual({})
      expect(plan.membership.numRows()).toBe(9)
      expect(plan.membership.columnNames()).toEqual([...MEMBERSHIP_COLUMNS])
      expect(plan.membershipPreview.objects()).toEqual(build.membershipPreview.objects())
      expect(plan.membershipPreview.objects()).toEqual(plan.membership.objects().slice(0, 2))
      expect(plan.metadata).toEqual(build.metadata)
    }).pipe(Effect.provide(withStore)))

  it.effect("validate returns counts and warnings; strict turns the warnings into InvalidConstraint", () =>
    Effect.gen(function*() {
      const ok = yield* validateCohort("pilot")
      expect(ok).toMatchObject({
        cohortId: "pilot",
        rowCount: 9,
        counts: { draft: 3, essay: 3, evaluation: 3 },
        warnings: []
      })
      const warned = yield* validateCohort("twice")
      expect(warned.counts).toEqual({ draft: 1, essay: 1, evaluation: 1 })
      expect(warned.warnings).toEqual(["the spec repository warns"])
      expect(warned.warnings).toEqual(warned.metadata.validation_warnings)
      const strict = yield* Effect.flip(validateCohort("twice", { strict: true }))
      expect(strict).toBeInstanceOf(InvalidConstraint)
      expect(yield* Ref.get(yield* PersistedArtifacts)).toHaveLength(0)
    }).pipe(Effect.provide(withStore)))

  it.effect("the metadata keys the build owns are typed and agree with the counts", () =>
    Effect.gen(function*() {
      const { metadata } = yield* planCohort("pilot")
      const typed: CohortMembershipMetadata = metadata
      const total: number = typed.drafts + typed.essays + typed.evaluations
      expect(total).toBe(typed.rows)
      expect(typed.combo_count).toBe(3)
      expect(typed.max_version).toBe("v10")
      expect(typed.manifest.combos).toEqual(["combo-1", "combo-2"])
      expect(typed.template_modes.essay).toEqual({ "essay-a": "llm", "essay-b": "copy" })
      // Keys of the spec repository stay reachable.
      expect(typed["spec_source"]).toBe("memory")
    }).pipe(Effect.provide(buildLayer([pilot]))))
})
