import { Data, Either } from "effect"
import type { CohortDefinition, DraftPlanEntry, EssayPlanEntry } from "../domain/CohortDefinition.js"
import { hasControlCharacter } from "../domain/ControlCharacters.js"
import { replicateDigits } from "../domain/Signature.js"
import type { Stage } from "../domain/Stage.js"
import type { DefinitionColumns, ReplicateValue } from "./DefinitionColumns.js"
import { makeBigReplicates, StageBuilder } from "./StageColumns.js"

// The columns of a definition read from its entries: one built by hand or decoded by an embedder
// (a definition need not come from a spec), so every entry is checked here.

/** Numbers the distinct texts of a field. */
export class TextIndex {
  readonly texts: Array<string> = []
  private readonly ids = new Map<string, number>()
  of(text: string): number {
    let id = this.ids.get(text)
    if (id === undefined) {
      id = this.texts.length
      this.texts.push(text)
      this.ids.set(text, id)
    }
    return id
  }
}

// Plan values never hold control characters (refused when read), so \u0000 separates key parts safely.
const SEP = "\u0000"
/** A draft plan entry's identity (its four fields), to find or dedupe drafts. */
export const draftKey = (d: DraftPlanEntry): string =>
  `${d.comboId}${SEP}${d.templateId}${SEP}${d.llmModelId}${SEP}${replicateDigits(d.replicate)}`
/** An essay plan entry's identity (its draft's and its own fields). */
export const essayKey = (e: EssayPlanEntry): string =>
  `${draftKey(e.draft)}${SEP}${e.templateId}${SEP}${e.llmModelId}${SEP}${replicateDigits(e.replicate)}`

/** Where an entry's parent sits among the parent stage's entries: by identity first, by key otherwise. */
const makeParentLookup = <A extends object>(parents: ReadonlyArray<A>, keyOf: (a: A) => string) => {
  const byRef = new Map<A, number>()
  parents.forEach((p, i) => {
    if (!byRef.has(p)) byRef.set(p, i)
  })
  let byKey: Map<string, number> | undefined
  return (entry: A): number | undefined => {
    const i = byRef.get(entry)
    if (i !== undefined) return i
    if (byKey === undefined) {
      byKey = new Map()
      parents.forEach((p, k) => {
        if (!byKey!.has(keyOf(p))) byKey!.set(keyOf(p), k)
      })
    }
    return byKey.get(keyOf(entry))
  }
}

/**
 * An entry the builder refuses: its parent is not among the definition's entries of the stage before,
 * or (`reason`) one of its fields is not a valid id or replicate. `definitionColumns` raises it as the
 * one `InvalidConstraint` of such an entry.
 */
export class OrphanEntry extends Data.TaggedError("OrphanEntry")<{
  readonly stage: Stage
  readonly description: string
  readonly reason?: string
}> {}

/** Replicates up to this are stored in the 32-bit columns as themselves; larger ones in the side table. */
const MAX_REPLICATE = 2 ** 31 - 1

interface EntryFields {
  readonly templateId: unknown
  readonly llmModelId: unknown
  readonly replicate: unknown
  readonly comboId?: unknown
}

/** What is wrong with an id field, or `undefined`: ids are non-empty strings without control characters. */
const idProblem = (value: unknown): string | undefined =>
  typeof value !== "string"
    ? `not a string (${typeof value})`
    : value === ""
    ? "empty"
    : hasControlCharacter(value)
    ? "holds a control character"
    : undefined

/**
 * Why an entry handed in by an embedder cannot be built: ids must be non-empty strings without control
 * characters, replicates whole numbers ≥ 1 (a number or a bigint; any size, as Python's `int`).
 */
const entryProblem = (stage: Stage, index: number, entry: EntryFields): OrphanEntry | undefined => {
  const fields: Array<[string, unknown]> = [["templateId", entry.templateId], ["llmModelId", entry.llmModelId]]
  if (stage === "draft") fields.unshift(["comboId", entry.comboId])
  const describe = (field: string, value: unknown) =>
    `${stage}s[${index}].${field}: ${typeof value === "string" ? JSON.stringify(value) : String(value)}`
  for (const [field, value] of fields) {
    const what = idProblem(value)
    if (what !== undefined) {
      return new OrphanEntry({
        stage,
        description: describe(field, value),
        reason: `a ${stage} entry's ${field} is ${what}`
      })
    }
  }
  const r = entry.replicate
  if (typeof r === "bigint" ? r < 1n : typeof r !== "number" || !Number.isInteger(r) || r < 1) {
    return new OrphanEntry({
      stage,
      description: describe("replicate", r),
      reason: `a ${stage} entry's replicate must be a whole number of at least 1`
    })
  }
  return undefined
}

const checkEntries = (definition: CohortDefinition): OrphanEntry | undefined => {
  const stages = [
    ["draft", definition.drafts],
    ["essay", definition.essays],
    ["evaluation", definition.evaluations]
  ] as const
  for (const [stage, entries] of stages) {
    for (let i = 0; i < entries.length; i++) {
      const problem = entryProblem(stage, i, entries[i]!)
      if (problem !== undefined) return problem
    }
  }
  return undefined
}

const perStage = () => ({ draft: new TextIndex(), essay: new TextIndex(), evaluation: new TextIndex() })
const textsOf = (index: ReturnType<typeof perStage>) => ({
  draft: index.draft.texts,
  essay: index.essay.texts,
  evaluation: index.evaluation.texts
})

/**
 * The entries of a child stage (essays on drafts, evaluations on essays) into columns, or the first
 * whose parent is missing.
 */
const childStage = <
  A extends { readonly templateId: string; readonly llmModelId: string; readonly replicate: ReplicateValue }
>(
  entries: ReadonlyArray<A>,
  parentOf: (entry: A) => number | undefined,
  ids: { readonly template: TextIndex; readonly llm: TextIndex; readonly replicate: (r: ReplicateValue) => number },
  orphan: (entry: A) => OrphanEntry
): Either.Either<StageBuilder, OrphanEntry> => {
  const stage = new StageBuilder()
  for (const entry of entries) {
    const parent = parentOf(entry)
    if (parent === undefined) return Either.left(orphan(entry))
    stage.push(parent, ids.template.of(entry.templateId), ids.llm.of(entry.llmModelId), ids.replicate(entry.replicate))
  }
  return Either.right(stage)
}

/** The columns read from a definition's entries, or the first entry the builder refuses. */
export const columnsFromEntries = (definition: CohortDefinition): Either.Either<DefinitionColumns, OrphanEntry> => {
  const bad = checkEntries(definition)
  if (bad !== undefined) return Either.left(bad)
  const combos = new TextIndex()
  const templates = perStage()
  const llms = perStage()
  const big = makeBigReplicates()
  const replicate = (r: ReplicateValue): number =>
    typeof r === "number" && r <= MAX_REPLICATE ? r : r <= MAX_REPLICATE ? Number(r) : big.code(BigInt(r))
  const drafts = new StageBuilder()
  for (const d of definition.drafts) {
    drafts.push(
      combos.of(d.comboId),
      templates.draft.of(d.templateId),
      llms.draft.of(d.llmModelId),
      replicate(d.replicate)
    )
  }
  const draftOf = makeParentLookup(definition.drafts, draftKey)
  const essayOf = makeParentLookup(definition.essays, essayKey)
  return Either.gen(function*() {
    const essays = yield* childStage(
      definition.essays,
      (e) => draftOf(e.draft),
      { template: templates.essay, llm: llms.essay, replicate },
      (e) =>
        new OrphanEntry({
          stage: "essay",
          description: `essay template ${e.templateId} on draft ${draftKey(e.draft).split(SEP).join(" / ")}`
        })
    )
    const evaluations = yield* childStage(
      definition.evaluations,
      (v) => essayOf(v.essay),
      { template: templates.evaluation, llm: llms.evaluation, replicate },
      (v) =>
        new OrphanEntry({
          stage: "evaluation",
          description: `evaluation template ${v.templateId} on essay template ${v.essay.templateId}`
        })
    )
    return {
      combos: combos.texts,
      templates: textsOf(templates),
      llms: textsOf(llms),
      drafts: drafts.done(),
      essays: essays.done(),
      evaluations: evaluations.done(),
      unique: false,
      ...(big.values.length === 0 ? {} : { bigReplicates: big.values })
    }
  })
}
