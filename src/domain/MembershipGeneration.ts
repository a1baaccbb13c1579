import { Context, Effect, Fiber, type Scope } from "effect"
import {
  type DefinitionColumns,
  definitionColumns,
  replicatesOf,
  type StageColumns
} from "../engine/DefinitionColumns.js"
import type { IdCollision } from "../errors/IdCollision.js"
import type { InvalidConstraint } from "../errors/InvalidConstraint.js"
import type { GenerationRegistry, StageBatch } from "../services/GenerationRegistry.js"
import type { CohortDefinition } from "./CohortDefinition.js"
import { makePartNormalizer } from "./GenId.js"
import { makeMembershipAccumulator, type MembershipRows } from "./MembershipRows.js"
import { draftSignature, essaySignature, evaluationSignature, type Normalize } from "./Signature.js"
import type { Stage } from "./Stage.js"

/** A batch of a registry that reads the store: its reads are shared with a worker a batch at a time. */
const STORE_BATCH_SIZE = 65_536
/**
 * A batch of a registry of pure ids (made in memory): small enough that a batch's signatures die before
 * a scavenge promotes them (status of a 624k-row cohort, alternating runs: 5.55-5.57 s at 65,536,
 * 5.15-5.22 s and ~100 MB less at 4,096).
 */
const PURE_BATCH_SIZE = 4_096

/**
 * Evaluation ids are reserved in batches of this many, so that only a batch or two of canonical strings is
 * alive at a time (a reference with a default: a test makes it small to have many batches). A whole
 * number ≥ 1; anything else (the default, 0) is the registry's: 4,096 when its ids are pure, else 65,536.
 */
export class MembershipBatchSize extends Context.Reference<MembershipBatchSize>()("cohort/MembershipBatchSize", {
  defaultValue: () => 0
}) {}

/** The parts handed to the signatures here are normalized already (each distinct text once). */
const normalized: Normalize = (text) => text

/** Whether normalization (trim + lower-case) keeps distinct texts distinct. */
const injective = (normalized: ReadonlyArray<string>): boolean => new Set(normalized).size === normalized.length
const hasPipe = (text: string): boolean => text.includes("|")
/** Parts that keep distinct signatures distinct: distinct once normalized, no `|` inside. */
const distinctParts = (normalized: ReadonlyArray<string>): boolean => injective(normalized) && !normalized.some(hasPipe)

/**
 * Whether no two entries share (parent, template, replicate) — two essays differing only in their LLM
 * share an id. Keys are sorted numbers (no string or map per entry); false when they would not fit.
 */
const uniqueTriples = (
  parent: ArrayLike<number>,
  template: ArrayLike<number>,
  replicate: ArrayLike<number | bigint>,
  parents: number,
  templates: number
): boolean => {
  const n = parent.length
  let maxReplicate = 0
  for (let i = 0; i < n; i++) {
    const r = replicate[i]!
    if (typeof r !== "number") return false
    if (r > maxReplicate) maxReplicate = r
  }
  if (parents * templates * (maxReplicate + 1) > Number.MAX_SAFE_INTEGER) return false
  const keys = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    keys[i] = (parent[i]! * templates + template[i]!) * (maxReplicate + 1) + (replicate[i] as number)
  }
  keys.sort()
  for (let i = 1; i < n; i++) if (keys[i] === keys[i - 1]) return false
  return true
}

const reserve = (
  registry: GenerationRegistry,
  stage: Stage,
  canonicals: ReadonlyArray<string>,
  one: (i: number) => Effect.Effect<string, IdCollision>,
  batch?: StageBatch
): Effect.Effect<ReadonlyArray<string>, IdCollision> =>
  registry.reserveMany !== undefined
    ? registry.reserveMany(stage, canonicals, batch)
    : Effect.forEach(canonicals, (_, i) => one(i))

/**
 * The evaluations of a definition whose evaluation ids are pure hashes that cannot repeat: unique
 * entries, no collapse among drafts and essays, distinct normalized texts, no `|` inside a part. A
 * caller can then make the rows itself (ids from the canonical signature, no index), much faster.
 */
export interface PureEvaluations {
  readonly evaluations: StageColumns
  /** Per essay: its id, as written and as it enters the signature, and its draft's combo. */
  readonly essayIds: ReadonlyArray<string>
  readonly normEssayIds: ReadonlyArray<string>
  readonly essayCombos: ReadonlyArray<string>
  readonly templates: ReadonlyArray<string>
  readonly llms: ReadonlyArray<string>
  /** The templates and LLMs as they enter the signature (trimmed, lower-cased). */
  readonly normTemplates: ReadonlyArray<string>
  readonly normLlms: ReadonlyArray<string>
}

/**
 * A whole membership whose ids are pure hashes that cannot repeat, in any stage: `PureEvaluations`' rule,
 * and drafts and essays added without an index (`addNew`: distinct entries and texts). A caller can then
 * make every row itself from the columns and the normalized texts (ids from the canonical signatures).
 * Its replicates are whole numbers below 2^31.
 */
export interface PureMembership {
  readonly columns: DefinitionColumns
  readonly draftReplicates: ArrayLike<number>
  readonly essayReplicates: ArrayLike<number>
  /** The texts as they enter the signatures (trimmed, lower-cased). */
  readonly normCombos: ReadonlyArray<string>
  readonly normTemplates: Readonly<Record<Stage, ReadonlyArray<string>>>
  readonly normLlms: Readonly<Record<Stage, ReadonlyArray<string>>>
}

/** What a streamed membership adds up to: rows per stage and the collapses (the first ones described). */
export type MembershipSummary = Pick<MembershipRows, "counts" | "collapses" | "collapseCount">

/**
 * The membership rows of a definition handed to `onBatch` a batch at a time (drafts and essays, then
 * evaluations in batches), so that a large membership is written without being held. Without
 * `onBatch` everything stays in one batch, returned as `rows` (with it, `rows` is the last batch).
 *
 * `onPureEvaluations`: when the registry says its ids are pure (`registry.pureIds`, the in-memory one) and
 * the evaluations are `PureEvaluations`, they are handed over whole, after the drafts and essays; when it
 * returns true they were made there, else they are made here as usual. A registry that does not say so
 * (the disk one) is asked for every id.
 *
 * `onPureMembership`: likewise, before anything is made, when every id of the membership is pure and none
 * can repeat (`PureMembership`); when it returns true it made every row, drafts and essays too.
 */
export const streamMembership = <E = never, R = never>(
  definition: CohortDefinition,
  cohortId: string,
  registry: GenerationRegistry,
  onBatch?: (batch: MembershipRows) => Effect.Effect<void, E, R>,
  onPureEvaluations?: (evaluations: PureEvaluations) => Effect.Effect<boolean, E, R>,
  onPureMembership?: (membership: PureMembership) => Effect.Effect<boolean, E, R>
): Effect.Effect<
  { readonly rows: MembershipRows; readonly summary: MembershipSummary },
  InvalidConstraint | IdCollision | E,
  R
> =>
  Effect.gen(function*() {
    const columns = yield* definitionColumns(definition, cohortId)
    const { combos, drafts, essays, evaluations, llms, templates } = columns
    // The replicate columns themselves, unless a replicate is beyond 2^31 - 1 (then decoded, a rare path).
    const draftReps = replicatesOf(columns, drafts)
    const essayReps = replicatesOf(columns, essays)
    const evaluationReps = replicatesOf(columns, evaluations)
    const bigReplicates = (columns.bigReplicates?.length ?? 0) > 0
    const asked = yield* MembershipBatchSize
    const batchSize = Number.isSafeInteger(asked) && asked >= 1
      ? asked
      : registry.pureIds === true
      ? PURE_BATCH_SIZE
      : STORE_BATCH_SIZE
    // Streamed (`onBatch`), the first batch holds the drafts and essays; each batch of evaluations its own.
    const acc = makeMembershipAccumulator(
      cohortId,
      drafts.size + essays.size + (onBatch === undefined ? evaluations.size : 0)
    )
    // Texts are normalized once each (the canonical signature trims and lower-cases every part).
    const norm = makePartNormalizer()
    const normCombos = combos.map(norm)
    const normTemplates = {
      draft: templates.draft.map(norm),
      essay: templates.essay.map(norm),
      evaluation: templates.evaluation.map(norm)
    }
    const normLlms = { draft: llms.draft.map(norm), essay: llms.essay.map(norm), evaluation: llms.evaluation.map(norm) }
    // A registry of pure ids hands out a stage prefix and base36 digits: normalized already. Its drafts
    // and essays cannot share an id when their entries and texts are distinct (the same rule as the
    // evaluations' below), so they are added without an index of ids (no object per row).
    const pureRegistry = registry.pureIds === true
    const normId: Normalize = pureRegistry ? normalized : norm
    const draftsNew = pureRegistry && columns.unique && !bigReplicates && distinctParts(normCombos) &&
      distinctParts(normTemplates.draft) && distinctParts(normLlms.draft)
    const essaysNew = draftsNew && distinctParts(normTemplates.essay) &&
      uniqueTriples(essays.parent, essays.template, essayReps, drafts.size, templates.essay.length)
    // Pure ids hold no `|`, and drafts and essays added with `addNew` never collapse: the evaluations'
    // rule below (`pure`) then rests on their texts alone.
    const evaluationTextsPure = injective(normTemplates.evaluation) && injective(normLlms.evaluation) &&
      !normTemplates.evaluation.some(hasPipe) && !normLlms.evaluation.some(hasPipe)
    if (essaysNew && evaluationTextsPure && onPureMembership !== undefined && onBatch !== undefined) {
      const handled = yield* onPureMembership({
        columns,
        draftReplicates: draftReps as ArrayLike<number>,
        essayReplicates: essayReps as ArrayLike<number>,
        normCombos,
        normTemplates,
        normLlms
      })
      if (handled) {
        const rows = acc.rows
        rows.counts.draft += drafts.size
        rows.counts.essay += essays.size
        rows.counts.evaluation += evaluations.size
        return { rows, summary: { counts: rows.counts, collapses: rows.collapses, collapseCount: rows.collapseCount } }
      }
    }
    const addDraft = draftsNew ? acc.addNew : acc.add
    const addEssay = essaysNew ? acc.addNew : acc.add

    const draftCanonicals: Array<string> = new Array(drafts.size)
    for (let i = 0; i < drafts.size; i++) {
      draftCanonicals[i] = draftSignature(
        normCombos[drafts.parent[i]!]!,
        normTemplates.draft[drafts.template[i]!]!,
        normLlms.draft[drafts.llm[i]!]!,
        draftReps[i]!,
        normalized
      )
    }
    const draftIds = yield* reserve(registry, "draft", draftCanonicals, (i) =>
      registry.reserveDraftId({
        comboId: combos[drafts.parent[i]!]!,
        templateId: templates.draft[drafts.template[i]!]!,
        llmModelId: llms.draft[drafts.llm[i]!]!,
        cohortId,
        replicate: draftReps[i]!
      }))
    for (let i = 0; i < drafts.size; i++) {
      addDraft(
        "draft",
        draftIds[i]!,
        "",
        combos[drafts.parent[i]!]!,
        templates.draft[drafts.template[i]!]!,
        llms.draft[drafts.llm[i]!]!,
        draftReps[i]!
      )
    }

    const essayCanonicals: Array<string> = new Array(essays.size)
    for (let i = 0; i < essays.size; i++) {
      essayCanonicals[i] = essaySignature(
        normId(draftIds[essays.parent[i]!]!),
        normTemplates.essay[essays.template[i]!]!,
        essayReps[i]!,
        normalized
      )
    }
    const essayIds = yield* reserve(registry, "essay", essayCanonicals, (i) =>
      registry.reserveEssayId({
        draftGenId: draftIds[essays.parent[i]!]!,
        templateId: templates.essay[essays.template[i]!]!,
        cohortId,
        replicate: essayReps[i]!
      }))
    const essayCombos: Array<string> = new Array(essays.size)
    for (let i = 0; i < essays.size; i++) {
      essayCombos[i] = combos[drafts.parent[essays.parent[i]!]!]!
      addEssay(
        "essay",
        essayIds[i]!,
        draftIds[essays.parent[i]!]!,
        essayCombos[i]!,
        templates.essay[essays.template[i]!]!,
        llms.essay[essays.llm[i]!]!,
        essayReps[i]!
      )
    }

    // Evaluations of a definition with unique entries can only share an id when two essays did or two
    // texts differ only by case or spaces; otherwise no id index is needed (a BLAKE2b-80 collision
    // between different signatures is beyond reach at any cohort size).
    // A `|` inside a part runs two signatures together ("a|b" + "c" and "a" + "b|c").
    const normEssayIds = pureRegistry ? essayIds : essayIds.map(norm)
    const pure = columns.unique && !bigReplicates && acc.collapseCount === 0 && evaluationTextsPure &&
      !normEssayIds.some(hasPipe)
    if (pure && registry.pureIds === true && onPureEvaluations !== undefined && onBatch !== undefined) {
      yield* onBatch(acc.takeBatch(Math.min(evaluations.size, batchSize)))
      const handled = yield* onPureEvaluations({
        evaluations,
        essayIds,
        normEssayIds,
        essayCombos,
        templates: templates.evaluation,
        llms: llms.evaluation,
        normTemplates: normTemplates.evaluation,
        normLlms: normLlms.evaluation
      })
      if (handled) {
        const rows = acc.rows
        rows.counts.evaluation += evaluations.size
        return { rows, summary: { counts: rows.counts, collapses: rows.collapses, collapseCount: rows.collapseCount } }
      }
    }
    const add = pure ? acc.addNew : acc.add
    /** The ids of the batch of evaluations from `start` on (its canonical signatures made when it runs). */
    const reserveBatch = (start: number) =>
      Effect.suspend(() => {
        const end = Math.min(evaluations.size, start + batchSize)
        const canonicals: Array<string> = new Array(end - start)
        for (let i = start; i < end; i++) {
          canonicals[i - start] = evaluationSignature(
            normEssayIds[evaluations.parent[i]!]!,
            normTemplates.evaluation[evaluations.template[i]!]!,
            normLlms.evaluation[evaluations.llm[i]!]!,
            evaluationReps[i]!,
            normalized
          )
        }
        return reserve(registry, "evaluation", canonicals, (k) =>
          registry.reserveEvaluationId({
            essayGenId: essayIds[evaluations.parent[start + k]!]!,
            templateId: templates.evaluation[evaluations.template[start + k]!]!,
            llmModelId: llms.evaluation[evaluations.llm[start + k]!]!,
            cohortId,
            replicate: evaluationReps[start + k]!
          }), { start, total: evaluations.size })
      })
    // A registry whose batches may overlap has the next batch's ids asked for before this one's rows are
    // added (its reads go on in a worker thread meanwhile); forked in this scope, so that a failure or an
    // interruption here interrupts it. Otherwise one batch at a time, as it is reached.
    const overlapping = registry.overlappingBatches === true && registry.reserveMany !== undefined
    const launch = (
      start: number
    ): Effect.Effect<Effect.Effect<ReadonlyArray<string>, IdCollision>, never, Scope.Scope> =>
      overlapping ? Effect.map(Effect.forkScoped(reserveBatch(start)), Fiber.join) : Effect.succeed(reserveBatch(start))
    yield* Effect.scoped(Effect.gen(function*() {
      let pending = evaluations.size > 0 ? yield* launch(0) : undefined
      for (let start = 0; start < evaluations.size; start += batchSize) {
        const end = Math.min(evaluations.size, start + batchSize)
        const next = end < evaluations.size ? yield* launch(end) : undefined
        if (onBatch !== undefined && acc.size > 0) yield* onBatch(acc.takeBatch(end - start))
        const ids = yield* pending!
        for (let i = start; i < end; i++) {
          const essay = evaluations.parent[i]!
          add(
            "evaluation",
            ids[i - start]!,
            essayIds[essay]!,
            essayCombos[essay]!,
            templates.evaluation[evaluations.template[i]!]!,
            llms.evaluation[evaluations.llm[i]!]!,
            evaluationReps[i]!
          )
        }
        pending = next
      }
    }))
    const last = acc.takeBatch()
    if (onBatch !== undefined && last.genId.length > 0) yield* onBatch(last)
    return {
      rows: last,
      summary: { counts: last.counts, collapses: last.collapses, collapseCount: last.collapseCount }
    }
  })

/**
 * Membership rows of a definition: drafts, essays, evaluations in definition order,
 * each id from the registry, essays and evaluations carrying their draft's combo, repeated
 * (stage, gen_id) dropped keeping the first (each drop recorded as a collapse).
 */
export const generateMembership = Effect.fn("generateMembership")(function*(
  definition: CohortDefinition,
  cohortId: string,
  registry: GenerationRegistry
) {
  const { rows } = yield* streamMembership(definition, cohortId, registry)
  return rows
})
