import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Ref, TestClock } from "effect"
import {
  buildCohortMembership,
  CatalogBundleLoader,
  CatalogIncomplete,
  CatalogMissing,
  CoverageGap,
  InMemoryArtifactStore,
  InMemoryRegistryFactory,
  InMemorySpecRepository,
  InvalidConstraint,
  MEMBERSHIP_COLUMNS,
  PersistedArtifacts,
  SpecNotFound
} from "../src/index.js"
import { buildLayer, defaultBundle, designRow, specOf } from "./support/Builds.js"

const grid = (n: number) =>
  Array.from(
    { length: n },
    (_, i) =>
      designRow({
        evaluation_template: i % 2 === 0 ? "eval-a" : "eval-b",
        evaluation_replicate: String(1 + Math.floor(i / 2))
      })
  )

const pilot = specOf("pilot", [
  designRow(),
  designRow({ draft_template: "draft-b", essay_template: "essay-b" }),
  designRow({ combo_id: "combo-2", evaluation_llm: "j2" })
])

describe("buildCohortMembership", () => {
  it.effect("a persisted run hands the table and metadata to the store and returns its artifacts", () =>
    Effect.gen(function*() {
      const result = yield* buildCohortMembership("pilot")
      const persisted = yield* Ref.get(yield* PersistedArtifacts)
      expect(persisted).toHaveLength(1)
      expect(persisted[0]!.cohortId).toBe("pilot")
      expect(persisted[0]!.membership.columnNames()).toEqual([...MEMBERSHIP_COLUMNS])
      expect(persisted[0]!.membership.numRows()).toBe(result.rowCount)
      expect(persisted[0]!.metadata).toBe(result.metadata)
      expect(result.artifacts).toEqual({
        membership: "memory://cohorts/pilot/membership.csv",
        manifest: "memory://cohorts/pilot/manifest.json"
      })
      // 3 drafts, 3 essays, 3 evaluations
      expect(result.rowCount).toBe(9)
    }).pipe(Effect.provide(Layer.merge(buildLayer([pilot]), InMemoryArtifactStore))))

  it.effect("a dry run skips the store and returns no artifacts", () =>
    Effect.gen(function*() {
      const result = yield* buildCohortMembership("pilot", { dryRun: true })
      expect(yield* Ref.get(yield* PersistedArtifacts)).toHaveLength(0)
      expect(result.artifacts).toEqual({})
      expect(result.rowCount).toBe(9)
    }).pipe(Effect.provide(Layer.merge(buildLayer([pilot]), InMemoryArtifactStore))))

  it.effect("without a store nothing is persisted and artifacts are empty", () =>
    Effect.gen(function*() {
      const result = yield* buildCohortMembership("pilot")
      expect(result.artifacts).toEqual({})
    }).pipe(Effect.provide(buildLayer([pilot]))))

  it.effect("rows are drafts, then essays, then evaluations, with parents and the draft's combo", () =>
    Effect.gen(function*() {
      const result = yield* buildCohortMembership("pilot")
      const rows = result.membershipPreview.objects() as Array<Record<string, unknown>>
      expect(rows.map((r) => r.stage)).toEqual([
        "draft",
        "draft",
        "draft",
        "essay",
        "essay",
        "essay",
        "evaluation",
        "evaluation",
        "evaluation"
      ])
      const ids = new Set(rows.map((r) => r.gen_id))
      for (const r of rows) {
        expect(r.origin_cohort_id).toBe("pilot")
        if (r.stage === "draft") expect(r.parent_gen_id).toBe("")
        else expect(ids.has(r.parent_gen_id)).toBe(true)
      }
      expect(rows[8]).toMatchObject({ combo_id: "combo-2", llm_model_id: "j2", template_id: "eval-a", replicate: 1 })
    }).pipe(Effect.provide(buildLayer([pilot]))))

  it.effect("a missing combo catalog is CatalogMissing", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(buildCohortMembership("pilot"))
      expect(error).toBeInstanceOf(CatalogMissing)
      expect(error).toMatchObject({ slice: "combo_mappings", path: "memory://combo_mappings.csv" })
    }).pipe(Effect.provide(buildLayer([pilot], defaultBundle({ combo_mappings: undefined })))))

  it.effect("a combo catalog without rows is CatalogMissing", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(buildCohortMembership("pilot"))
      expect(error._tag).toBe("CatalogMissing")
      expect((error as CatalogMissing).reason).toBe("has no rows")
    }).pipe(Effect.provide(buildLayer([pilot], defaultBundle({ combo_mappings: [] })))))

  it.effect("a malformed combo schema is CatalogIncomplete listing the missing columns", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(buildCohortMembership("pilot"))
      expect(error).toBeInstanceOf(CatalogIncomplete)
      expect((error as CatalogIncomplete).missingColumns).toEqual(["version", "k_max"])
      expect(error.message).toContain("version, k_max")
    }).pipe(Effect.provide(
      buildLayer(
        [pilot],
        defaultBundle({
          combo_mappings: [{ combo_id: "combo-1", concept_id: "x", description_level: "p", created_at: "t" }]
        })
      )
    )))

  for (const slice of ["draft_templates", "essay_templates", "evaluation_templates", "llm_models"]) {
    it.effect(`a missing ${slice} frame is CatalogMissing`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(buildCohortMembership("pilot"))
        expect(error).toMatchObject({ _tag: "CatalogMissing", slice })
      }).pipe(Effect.provide(buildLayer([pilot], defaultBundle({ [slice]: undefined })))))
  }

  it.effect("assembles metadata: spec and catalog metadata, combo summary, counts, pinned timestamp, flags", () =>
    Effect.gen(function*() {
      yield* TestClock.adjust("90 minutes")
      const result = yield* buildCohortMembership("pilot", { featureFlags: { fast_ids: true } })
      expect(result.metadata).toMatchObject({
        spec_source: "memory",
        catalog_files: { combo_mappings: "memory://combo_mappings.csv" },
        combo_count: 3,
        max_version: "v10",
        rows: 9,
        drafts: 3,
        essays: 3,
        evaluations: 3,
        run_timestamp: "1970-01-01T01:30:00.000Z",
        feature_flags: { fast_ids: true },
        validation_warnings: []
      })
      expect(result.metadata.manifest).toEqual({
        combos: ["combo-1", "combo-2"],
        templates: { draft: ["draft-a", "draft-b"], essay: ["essay-a", "essay-b"], evaluation: ["eval-a"] },
        llms: { generation: ["m1"], evaluation: ["j1", "j2"] },
        replication: { draft: 1, evaluation: 1 }
      })
      expect(result.metadata.template_modes).toEqual({
        draft: { "draft-a": "llm", "draft-b": "llm" },
        essay: { "essay-a": "llm", "essay-b": "copy" },
        evaluation: { "eval-a": "llm" }
      })
    }).pipe(Effect.provide(buildLayer([pilot]))))

  it.effect("the run timestamp comes from the Clock (epoch 0 under TestClock)", () =>
    Effect.gen(function*() {
      const result = yield* buildCohortMembership("pilot")
      expect(result.metadata.run_timestamp).toBe("1970-01-01T00:00:00.000Z")
    }).pipe(Effect.provide(buildLayer([pilot]))))

  it.effect("the preview is capped at previewRows (default 20)", () =>
    Effect.gen(function*() {
      const spec = specOf("big", grid(30))
      const run = (previewRows?: number) =>
        buildCohortMembership("big", previewRows === undefined ? {} : { previewRows }).pipe(
          Effect.provide(buildLayer([spec]))
        )
      const byDefault = yield* run()
      expect(byDefault.rowCount).toBe(32)
      expect(byDefault.membershipPreview.numRows()).toBe(20)
      expect((yield* run(5)).membershipPreview.numRows()).toBe(5)
      expect((yield* run(0)).membershipPreview.numRows()).toBe(0)
      expect((yield* run(500)).membershipPreview.numRows()).toBe(32)
      expect((yield* run(5)).membershipPreview.columnNames()).toEqual([...MEMBERSHIP_COLUMNS])
    }))

  it.effect("a negative previewRows is InvalidConstraint", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(buildCohortMembership("pilot", { previewRows: -1 }))
      expect(error).toMatchObject({ _tag: "InvalidConstraint", constraint: "build-options" })
    }).pipe(Effect.provide(buildLayer([pilot]))))

  it.effect("a spec without a definition is InvalidConstraint", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(buildCohortMembership("empty"))
      expect(error).toBeInstanceOf(InvalidConstraint)
      expect(error.message).toContain("no cohort definition")
      expect(error).toMatchObject({ constraint: "definition-missing" })
    }).pipe(Effect.provide(buildLayer([{ cohortId: "empty", metadata: {} }]))))

  it.effect("an unknown cohort is SpecNotFound from the repository, untouched", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(buildCohortMembership("nope"))
      expect(error).toBeInstanceOf(SpecNotFound)
      expect(error).toMatchObject({ cohortId: "nope", path: "memory://cohorts/nope" })
    }).pipe(Effect.provide(buildLayer([pilot]))))

  it.effect("collaborator errors pass through untouched", () => {
    const failure = new CatalogMissing({ slice: "llm_models", path: "/data/1_raw/llm_models.csv" })
    const failing = Layer.succeed(CatalogBundleLoader, { loadForSpec: () => Effect.fail(failure) })
    return Effect.gen(function*() {
      const error = yield* Effect.flip(buildCohortMembership("pilot"))
      expect(error).toBeInstanceOf(CatalogMissing)
      expect({ ...error }).toEqual({ ...failure })
      expect(error.message).toBe(failure.message)
    }).pipe(Effect.provide(Layer.mergeAll(InMemorySpecRepository([pilot]), failing, InMemoryRegistryFactory)))
  })
})

describe("coverage", () => {
  const cases: Array<[string, Record<string, unknown>, { stage?: string; field: string; missing: Array<string> }]> = [
    ["combo", { combo_id: "combo-x" }, { field: "combo_id", missing: ["combo-x"] }],
    ["draft template", { draft_template: "draft-x" }, { stage: "draft", field: "template_id", missing: ["draft-x"] }],
    ["essay template", { essay_template: "essay-x" }, { stage: "essay", field: "template_id", missing: ["essay-x"] }],
    ["evaluation template", { evaluation_template: "eval-x" }, {
      stage: "evaluation",
      field: "template_id",
      missing: ["eval-x"]
    }],
    ["draft llm", { draft_llm: "gpt-x" }, { stage: "draft", field: "llm_model_id", missing: ["gpt-x"] }],
    ["essay llm", { essay_llm: "gpt-x" }, { stage: "essay", field: "llm_model_id", missing: ["gpt-x"] }],
    ["evaluation llm", { evaluation_llm: "gpt-x" }, { stage: "evaluation", field: "llm_model_id", missing: ["gpt-x"] }]
  ]
  for (const [name, override, expected] of cases) {
    it.effect(`an uncatalogued ${name} is a CoverageGap naming stage, field and values`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(buildCohortMembership("gap"))
        expect(error).toBeInstanceOf(CoverageGap)
        const gap = error as CoverageGap
        expect(gap.field).toBe(expected.field)
        expect(gap.stage).toBe(expected.stage)
        expect(gap.missing).toEqual(expected.missing)
      }).pipe(Effect.provide(buildLayer([specOf("gap", [designRow(), designRow(override)])]))))
  }

  it.effect("missing values are sorted and unique, and the message reads as in the CLI contract", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(buildCohortMembership("gap"))
      expect((error as CoverageGap).missing).toEqual(["gpt-a", "gpt-z"])
      expect(error.message).toBe(
        "evaluation llm_model_id not in catalog: gpt-a, gpt-z (from design field evaluation_llm)"
      )
    }).pipe(Effect.provide(buildLayer([
      specOf("gap", [
        designRow({ evaluation_llm: "gpt-z" }),
        designRow({ evaluation_llm: "gpt-a" }),
        designRow({ evaluation_llm: "gpt-z", evaluation_replicate: "2" })
      ])
    ]))))

  it.effect("the essay stage also accepts the LLM `None`", () =>
    Effect.gen(function*() {
      const result = yield* buildCohortMembership("copy")
      expect(result.rowCount).toBe(3)
    }).pipe(Effect.provide(buildLayer([specOf("copy", [designRow({ essay_llm: "None" })])]))))
})

describe("warnings", () => {
  const designWarnings = (metadata: Readonly<Record<string, unknown>>) =>
    metadata["validation_warnings"] as Array<string>
  const collapsing = specOf("collapse", [designRow({ essay_llm: "m1" }), designRow({ essay_llm: "m2" })])

  it.effect("two essays that differ only by LLM collapse into one generation, reported as a warning", () =>
    Effect.gen(function*() {
      const result = yield* buildCohortMembership("collapse")
      expect(result.metadata.essays).toBe(1)
      const warnings = designWarnings(result.metadata)
      expect(warnings).toHaveLength(2)
      expect(warnings[0]).toMatch(/^essay e_[0-9a-z]+: .*llm m1.* and .*llm m2.*essay LLM is not part of/)
    }).pipe(Effect.provide(buildLayer([collapsing]))))

  it.effect("judges that differ only by case collapse and are reported", () =>
    Effect.gen(function*() {
      const result = yield* buildCohortMembership("case")
      expect(result.metadata.evaluations).toBe(1)
      expect(designWarnings(result.metadata)[0]).toContain("letter case")
    }).pipe(Effect.provide(buildLayer([
      specOf("case", [designRow({ evaluation_llm: "j1" }), designRow({ evaluation_llm: "J1" })])
    ], defaultBundle({ llm_models: [{ id: "m1" }, { id: "m2" }, { id: "j1" }, { id: "J1" }] })))))

  it.effect("strict mode turns collapse warnings into InvalidConstraint", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(buildCohortMembership("collapse", { strict: true }))
      expect(error).toBeInstanceOf(InvalidConstraint)
      expect((error as InvalidConstraint).details?.length).toBeGreaterThan(0)
      expect(error).toMatchObject({ constraint: "strict-warnings" })
    }).pipe(Effect.provide(buildLayer([collapsing]))))

  it.effect("spec warnings are carried into the metadata and fail a strict build", () =>
    Effect.gen(function*() {
      const relaxed = yield* buildCohortMembership("warned")
      expect(designWarnings(relaxed.metadata)).toEqual(["rules.subsets.x: value y is not a level"])
      const error = yield* Effect.flip(buildCohortMembership("warned", { strict: true }))
      expect(error._tag).toBe("InvalidConstraint")
    }).pipe(Effect.provide(buildLayer([
      specOf("warned", [designRow()], { warnings: ["rules.subsets.x: value y is not a level"] })
    ]))))

  it.effect("an essay whose draft is not in the definition is InvalidConstraint", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(buildCohortMembership("orphan"))
      expect(error).toBeInstanceOf(InvalidConstraint)
      expect(error.message).toContain("draft is not in the definition")
      expect(error).toMatchObject({ constraint: "definition-entry", cohortId: "orphan" })
    }).pipe(Effect.provide(buildLayer([{
      cohortId: "orphan",
      metadata: {},
      definition: {
        drafts: [],
        essays: [{
          draft: { comboId: "combo-1", templateId: "draft-a", llmModelId: "m1", replicate: 1 },
          templateId: "essay-a",
          llmModelId: "m2",
          replicate: 1
        }],
        evaluations: []
      }
    }]))))
})
