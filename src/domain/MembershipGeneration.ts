import { Effect } from "effect"
import { InvalidConstraint } from "../errors/InvalidConstraint.js"
import type { IdCollision } from "../errors/IdCollision.js"
import type { GenerationRegistry } from "../services/GenerationRegistry.js"
import { type CohortDefinition, type DraftPlanEntry, draftKey, type EssayPlanEntry, essayKey } from "./CohortDefinition.js"
import { makePartNormalizer } from "./GenId.js"
import { makeMembershipAccumulator, type MembershipRows } from "./MembershipRows.js"
import type { Stage } from "./Stage.js"

/** Ids are reserved in batches, so that only one batch of canonical strings is alive at a time. */
const BATCH = 65_536

/** Whether normalization (trim + lower-case) keeps the distinct texts of a column distinct. */
const injective = <A>(norm: (s: string) => string, items: ReadonlyArray<A>, text: (a: A) => string): boolean => {
  const raw = new Set<string>()
  for (const item of items) raw.add(text(item))
  const normalized = new Set<string>()
  for (const t of raw) normalized.add(norm(t))
  return normalized.size === raw.size
}

/** Looks up the id of a parent entry: by identity first (entries share parents), by key otherwise. */
const makeParentIndex = <A extends object>(keyOf: (a: A) => string) => {
  const byRef = new Map<A, string>()
  let byKey: Map<string, string> | undefined
  return {
    set: (entry: A, id: string) => {
      byRef.set(entry, id)
    },
    get: (entry: A): string | undefined => {
      const id = byRef.get(entry)
      if (id !== undefined) return id
      if (byKey === undefined) {
        byKey = new Map()
        for (const [e, i] of byRef) if (!byKey.has(keyOf(e))) byKey.set(keyOf(e), i)
      }
      return byKey.get(keyOf(entry))
    }
  }
}

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
  const acc = makeMembershipAccumulator(cohortId)
  const { drafts, essays, evaluations } = definition

  const norm = makePartNormalizer()
  const draftCanonicals = drafts.map((d) => `${norm(d.comboId)}|${norm(d.templateId)}|${norm(d.llmModelId)}|${d.replicate}`)
  const draftIds = yield* reserve(registry, "draft", draftCanonicals, (i) => {
    const d = drafts[i]!
    return registry.reserveDraftId({
      comboId: d.comboId,
      templateId: d.templateId,
      llmModelId: d.llmModelId,
      cohortId,
      replicate: d.replicate
    })
  })
  const draftIndex = makeParentIndex<DraftPlanEntry>(draftKey)
  for (let i = 0; i < drafts.length; i++) {
    const d = drafts[i]!
    draftIndex.set(d, draftIds[i]!)
    acc.add("draft", draftIds[i]!, "", d.comboId, d.templateId, d.llmModelId, d.replicate)
  }

  const essayParents: Array<string> = new Array(essays.length)
  for (let i = 0; i < essays.length; i++) {
    const e = essays[i]!
    const parent = draftIndex.get(e.draft)
    if (parent === undefined) {
      return yield* new InvalidConstraint({
        reason: "an essay's draft is not in the definition",
        cohortId,
        details: [`essay template ${e.templateId} on draft ${draftKey(e.draft).split("\u0000").join(" / ")}`]
      })
    }
    essayParents[i] = parent
  }
  const essayCanonicals = essays.map((e, i) => `${norm(essayParents[i]!)}|${norm(e.templateId)}|${e.replicate}`)
  const essayIds = yield* reserve(registry, "essay", essayCanonicals, (i) => {
    const e = essays[i]!
    return registry.reserveEssayId({ draftGenId: essayParents[i]!, templateId: e.templateId, cohortId, replicate: e.replicate })
  })
  const essayIndex = makeParentIndex<EssayPlanEntry>(essayKey)
  for (let i = 0; i < essays.length; i++) {
    const e = essays[i]!
    essayIndex.set(e, essayIds[i]!)
    acc.add("essay", essayIds[i]!, essayParents[i]!, e.draft.comboId, e.templateId, e.llmModelId, e.replicate)
  }

  const evaluationParents: Array<string> = new Array(evaluations.length)
  for (let i = 0; i < evaluations.length; i++) {
    const v = evaluations[i]!
    const parent = essayIndex.get(v.essay)
    if (parent === undefined) {
      return yield* new InvalidConstraint({
        reason: "an evaluation's essay is not in the definition",
        cohortId,
        details: [`evaluation template ${v.templateId} on essay template ${v.essay.templateId}`]
      })
    }
    evaluationParents[i] = parent
  }
  // Evaluations are unique by (essay entry, template, llm, replicate); their ids can only repeat when
  // two essays shared an id or two texts differ only by case/spaces. Otherwise no id index is needed
  // (a BLAKE2b-80 collision between different signatures is beyond reach at any cohort size).
  const add = acc.rows.collapseCount > 0 ||
      !injective(norm, evaluations, (v) => v.templateId) ||
      !injective(norm, evaluations, (v) => v.llmModelId)
    ? acc.add
    : acc.addNew
  for (let start = 0; start < evaluations.length; start += BATCH) {
    const end = Math.min(evaluations.length, start + BATCH)
    // Parent ids are already canonical (lower-case, no spaces): only the texts need normalizing.
    const canonicals: Array<string> = new Array(end - start)
    for (let i = start; i < end; i++) {
      const v = evaluations[i]!
      canonicals[i - start] = `${evaluationParents[i]!}|${norm(v.templateId)}|${norm(v.llmModelId)}|${v.replicate}`
    }
    const ids = yield* reserve(registry, "evaluation", canonicals, (k) => {
      const v = evaluations[start + k]!
      return registry.reserveEvaluationId({
        essayGenId: evaluationParents[start + k]!,
        templateId: v.templateId,
        llmModelId: v.llmModelId,
        cohortId,
        replicate: v.replicate
      })
    })
    for (let i = start; i < end; i++) {
      const v = evaluations[i]!
      add("evaluation", ids[i - start]!, evaluationParents[i]!, v.essay.draft.comboId, v.templateId, v.llmModelId, v.replicate)
    }
  }
  return acc.rows as MembershipRows
})
