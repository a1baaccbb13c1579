import { Effect, Layer } from "effect"
import {
  type CatalogBundle,
  catalogBundle,
  type CohortDefinition,
  type CohortSpec,
  definitionFromDesignRows,
  InMemoryCatalogBundleLoader,
  InMemoryRegistryFactory,
  InMemorySpecRepository
} from "../../src/index.js"

export const designRow = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  combo_id: "combo-1",
  draft_template: "draft-a",
  draft_llm: "m1",
  essay_template: "essay-a",
  essay_llm: "m2",
  evaluation_template: "eval-a",
  evaluation_llm: "j1",
  ...overrides
})

export const definitionOf = (rows: ReadonlyArray<Record<string, unknown>>): CohortDefinition =>
  Effect.runSync(definitionFromDesignRows(rows))

/** A small but complete catalog: combos in two versions, three templates per stage, four LLMs. */
export const catalogRows = {
  combo_mappings: [
    {
      combo_id: "combo-1",
      version: "v2",
      concept_id: "x",
      description_level: "paragraph",
      k_max: "2",
      created_at: "t"
    },
    {
      combo_id: "combo-1",
      version: "v2",
      concept_id: "y",
      description_level: "paragraph",
      k_max: "2",
      created_at: "t"
    },
    {
      combo_id: "combo-2",
      version: "v10",
      concept_id: "x",
      description_level: "paragraph",
      k_max: "2",
      created_at: "t"
    },
    { combo_id: "combo-3", version: "v9", concept_id: "z", description_level: "paragraph", k_max: "2", created_at: "t" }
  ],
  draft_templates: [
    { template_id: "draft-a", generator: "llm" },
    { template_id: "draft-b", generator: "" },
    { template_id: "draft-c", generator: "llm" }
  ],
  essay_templates: [
    { template_id: "essay-a", generator: "llm" },
    { template_id: "essay-b", generator: "copy" },
    { template_id: "essay-c", generator: "LLM " }
  ],
  evaluation_templates: [
    { template_id: "eval-a", generator: "llm" },
    { template_id: "eval-b", generator: "llm" },
    { template_id: "eval-c", generator: "llm" }
  ],
  llm_models: [{ id: "m1" }, { id: "m2" }, { id: "j1" }, { id: "j2" }],
  // Agrees with the one-replicate designs of these tests (a disagreement would be a validation warning).
  replication_config: [{ stage: "draft", replicates: "1" }, { stage: "evaluation", replicates: "1" }]
}

export const defaultBundle = (overrides: Record<string, ReadonlyArray<Record<string, unknown>> | undefined> = {}) => {
  const slices: Record<string, ReadonlyArray<Record<string, unknown>>> = { ...catalogRows }
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete slices[k]
    else slices[k] = v
  }
  return catalogBundle(slices, { catalog_files: { combo_mappings: "memory://combo_mappings.csv" } })
}

export const specOf = (
  cohortId: string,
  rows: ReadonlyArray<Record<string, unknown>>,
  extra: Partial<CohortSpec> = {}
) => ({ cohortId, definition: definitionOf(rows), metadata: { spec_source: "memory" }, ...extra }) satisfies CohortSpec

/** Spec repository + catalog loader + in-memory registry (no store). */
export const buildLayer = (specs: ReadonlyArray<CohortSpec>, bundle: CatalogBundle = defaultBundle()) =>
  Layer.mergeAll(InMemorySpecRepository(specs), InMemoryCatalogBundleLoader(bundle), InMemoryRegistryFactory)
