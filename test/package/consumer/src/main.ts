// A consumer of the published package: strict NodeNext TypeScript, declarations checked (no skipLibCheck).
import { Effect, Layer, Schema } from "effect"
import { fileURLToPath } from "node:url"
import {
  type ArtifactWriteFailed,
  catalogBundle,
  cohortSpecFromObject,
  type CohortPlan,
  DataRootLayer,
  InMemoryCatalogBundleLoader,
  InMemoryRegistryFactory,
  InMemorySpecRepository,
  InvalidSpec,
  type PlanError,
  planCohort,
  rowsOf,
  validateCohort
} from "cohort-membership-builder"

// A spec as a database keeps it: a mapping, its include stored beside it.
const spec = {
  axes: {
    combo_id: "@file:combos.txt",
    draft_template: ["draft-a"],
    draft_llm: ["m1"],
    essay_template: ["essay-a"],
    essay_llm: ["m1"],
    evaluation_template: ["eval-a"],
    evaluation_llm: ["j1"]
  },
  output: { field_order: [] }
}
const combo = (combo_id: string) => ({ combo_id, version: "v1", concept_id: "x", description_level: "paragraph", k_max: "2", created_at: "t" })
const bundle = catalogBundle({
  combo_mappings: [combo("c1"), combo("c2")],
  draft_templates: [{ template_id: "draft-a", generator: "llm" }],
  essay_templates: [{ template_id: "essay-a", generator: "llm" }],
  evaluation_templates: [{ template_id: "eval-a", generator: "llm" }],
  llm_models: [{ id: "m1" }, { id: "j1" }]
})
const services = Layer.mergeAll(
  InMemorySpecRepository([{ cohortId: "db-cohort", spec, includes: { "combos.txt": "c1\nc2\n" } }]),
  InMemoryCatalogBundleLoader(bundle),
  InMemoryRegistryFactory
)
// The same services in the current shape, X.layer(…) / X.layer (the older one above still type-checks).
const current = Layer.mergeAll(
  InMemorySpecRepository.layer([{ cohortId: "db-cohort", spec, includes: { "combos.txt": "c1\nc2\n" } }]),
  InMemoryCatalogBundleLoader.layer(bundle),
  InMemoryRegistryFactory.layer
)

// A dry run's error channel has no write errors, and the program needs nothing else.
const plan: Effect.Effect<CohortPlan, PlanError> = planCohort("db-cohort").pipe(Effect.provide(services))
type Writes = [ArtifactWriteFailed] extends [PlanError] ? "writes" : "no writes"
const errorChannel: Writes = "no writes"

const exampleRoot = fileURLToPath(new URL("../node_modules/cohort-membership-builder/examples/data", import.meta.url))

const program = Effect.gen(function*() {
  const planned = yield* plan
  const again = yield* planCohort("db-cohort").pipe(Effect.provide(current))
  const direct = yield* cohortSpecFromObject("direct", spec, { includes: { "combos.txt": "c1\n" } })
  const refused = yield* Effect.flip(cohortSpecFromObject("direct", spec))
  const example = yield* validateCohort("daydream-pilot").pipe(Effect.provide(DataRootLayer.layerNode(exampleRoot)))
  return {
    errorChannel,
    rows: planned.rowCount,
    rowsOfCurrentShapes: again.rowCount,
    evaluations: planned.metadata.evaluations,
    stages: rowsOf(planned.membership).map((row) => row["stage"]),
    designRows: direct.metadata["design_rows"],
    refusal: refused instanceof InvalidSpec ? Schema.encodeSync(InvalidSpec)(refused) : null,
    example: example.counts
  }
})

Effect.runPromise(program).then(
  (out) => console.log(JSON.stringify(out)),
  (error: unknown) => {
    console.error(error)
    process.exitCode = 1
  }
)
