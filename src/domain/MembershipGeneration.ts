import { Effect } from "effect"
import { InvalidConstraint } from "../errors/InvalidConstraint.js"
import type { IdCollision } from "../errors/IdCollision.js"
import type { GenerationRegistry } from "../services/GenerationRegistry.js"
import type { CohortDefinition } from "./CohortDefinition.js"
import { columnsOf, isOrphanEntry } from "./DefinitionColumns.js"
import { makePartNormalizer } from "./GenId.js"
import { makeMembershipAccumulator, type MembershipRows } from "./MembershipRows.js"
import type { Stage } from "./Stage.js"

/** Ids are reserved in batches, so that only one batch of canonical strings is alive at a time. */
const BATCH = 65_536

/** Whether normalization (trim + lower-case) keeps distinct texts distinct. */
const injective = (normalized: ReadonlyArray<string>): boolean => new Set(normalized).size === normalized.length

const reserve = (
  registry: GenerationRegistry,
  stage: Stage,
  canonicals: ReadonlyArray<string>,
  one: (i: number) => Effect.Effect<string, IdCollision>
): Effect.Effect<ReadonlyArray<string>, IdCollision> =>
  registry.reserveMany !== undefined
    ? registry.reserveMany(stage, canonicals)
    : Effect.forEach(canonicals, (_, i) => one(i))

/**
 * Membership rows of a definition (REFERENCE §5): drafts, essays, evaluations in definition order,
 * each id from the registry, essays and evaluations carrying their draft's combo, repeated
 * (stage, gen_id) dropped keeping the first (each drop recorded as a collapse).
 */
export const generateMembership = Effect.fn("generateMembership")(function*(
  definition: CohortDefinition,
  cohortId: string,
  registry: GenerationRegistry
) {
  const columns = columnsOf(definition)
  if (isOrphanEntry(columns)) {
    return yield* new InvalidConstraint({
      reason: `an ${columns.stage}'s ${columns.stage === "essay" ? "draft" : "essay"} is not in the definition`,
      cohortId,
      details: [columns.description]
    })
  }
  const { combos, drafts, essays, evaluations, llms, templates } = columns
  const acc = makeMembershipAccumulator(cohortId)
  // Texts are normalized once each (the canonical signature trims and lower-cases every part).
  const norm = makePartNormalizer()
  const normCombos = combos.map(norm)
  const normTemplates = { draft: templates.draft.map(norm), essay: templates.essay.map(norm), evaluation: templates.evaluation.map(norm) }
  const normLlms = { draft: llms.draft.map(norm), essay: llms.essay.map(norm), evaluation: llms.evaluation.map(norm) }

  const draftCanonicals: Array<string> = new Array(drafts.size)
  for (let i = 0; i < drafts.size; i++) {
    draftCanonicals[i] = `${normCombos[drafts.parent[i]!]}|${normTemplates.draft[drafts.template[i]!]}|` +
      `${normLlms.draft[drafts.llm[i]!]}|${drafts.replicate[i]}`
  }
  const draftIds = yield* reserve(registry, "draft", draftCanonicals, (i) =>
    registry.reserveDraftId({
      comboId: combos[drafts.parent[i]!]!,
      templateId: templates.draft[drafts.template[i]!]!,
      llmModelId: llms.draft[drafts.llm[i]!]!,
      cohortId,
      replicate: drafts.replicate[i]!
    }))
  for (let i = 0; i < drafts.size; i++) {
    acc.add(
      "draft",
      draftIds[i]!,
      "",
      combos[drafts.parent[i]!]!,
      templates.draft[drafts.template[i]!]!,
      llms.draft[drafts.llm[i]!]!,
      drafts.replicate[i]!
    )
  }

  const essayCanonicals: Array<string> = new Array(essays.size)
  for (let i = 0; i < essays.size; i++) {
    essayCanonicals[i] = `${norm(draftIds[essays.parent[i]!]!)}|${normTemplates.essay[essays.template[i]!]}|` +
      `${essays.replicate[i]}`
  }
  const essayIds = yield* reserve(registry, "essay", essayCanonicals, (i) =>
    registry.reserveEssayId({
      draftGenId: draftIds[essays.parent[i]!]!,
      templateId: templates.essay[essays.template[i]!]!,
      cohortId,
      replicate: essays.replicate[i]!
    }))
  const essayCombos: Array<string> = new Array(essays.size)
  for (let i = 0; i < essays.size; i++) {
    essayCombos[i] = combos[drafts.parent[essays.parent[i]!]!]!
    acc.add(
      "essay",
      essayIds[i]!,
      draftIds[essays.parent[i]!]!,
      essayCombos[i]!,
      templates.essay[essays.template[i]!]!,
      llms.essay[essays.llm[i]!]!,
      essays.replicate[i]!
    )
  }

  // Evaluations of a definition with unique entries can only share an id when two essays did or two
  // texts differ only by case or spaces; otherwise no id index is needed (a BLAKE2b-80 collision
  // between different signatures is beyond reach at any cohort size).
  const add = columns.unique && acc.rows.collapseCount === 0 && injective(normTemplates.evaluation) &&
      injective(normLlms.evaluation)
    ? acc.addNew
    : acc.add
  const normEssayIds = essayIds.map(norm)
  for (let start = 0; start < evaluations.size; start += BATCH) {
    const end = Math.min(evaluations.size, start + BATCH)
    const canonicals: Array<string> = new Array(end - start)
    for (let i = start; i < end; i++) {
      canonicals[i - start] = `${normEssayIds[evaluations.parent[i]!]}|${normTemplates.evaluation[evaluations.template[i]!]}|` +
        `${normLlms.evaluation[evaluations.llm[i]!]}|${evaluations.replicate[i]}`
    }
    const ids = yield* reserve(registry, "evaluation", canonicals, (k) =>
      registry.reserveEvaluationId({
        essayGenId: essayIds[evaluations.parent[start + k]!]!,
        templateId: templates.evaluation[evaluations.template[start + k]!]!,
        llmModelId: llms.evaluation[evaluations.llm[start + k]!]!,
        cohortId,
        replicate: evaluations.replicate[start + k]!
      }))
    for (let i = start; i < end; i++) {
      const essay = evaluations.parent[i]!
      add(
        "evaluation",
        ids[i - start]!,
        essayIds[essay]!,
        essayCombos[essay]!,
        templates.evaluation[evaluations.template[i]!]!,
        llms.evaluation[evaluations.llm[i]!]!,
        evaluations.replicate[i]!
      )
    }
  }
  return acc.rows as MembershipRows
})
