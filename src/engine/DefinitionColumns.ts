import { Effect, Either } from "effect"
import type {
  CohortDefinition,
  DraftPlanEntry,
  EssayPlanEntry,
  EvaluationPlanEntry
} from "../domain/CohortDefinition.js"
import type { Stage } from "../domain/Stage.js"
import { InvalidConstraint } from "../errors/InvalidConstraint.js"
import { columnsFromEntries, type OrphanEntry } from "./ColumnsFromEntries.js"
import type { StageColumns } from "./StageColumns.js"

export { OrphanEntry } from "./ColumnsFromEntries.js"
export type { StageColumns } from "./StageColumns.js"

/**
 * A definition without an object per entry: large cohorts hold hundreds of thousands of evaluations,
 * and columns of small integers cost neither allocation nor garbage-collection time. `unique` says the
 * entries of each stage are distinct by construction (as `definitionFromDesign` makes them).
 */
export interface DefinitionColumns {
  readonly combos: ReadonlyArray<string>
  readonly templates: Readonly<Record<Stage, ReadonlyArray<string>>>
  readonly llms: Readonly<Record<Stage, ReadonlyArray<string>>>
  readonly drafts: StageColumns
  readonly essays: StageColumns
  readonly evaluations: StageColumns
  readonly unique: boolean
  /**
   * Replicates beyond 2^31 − 1 (rare; absent when there are none): a replicate column holds the code
   * -(k + 1) for `bigReplicates[k]`. Read replicates through `replicatesOf`.
   */
  readonly bigReplicates?: ReadonlyArray<bigint>
}

/** A replicate as an entry holds it: a number, or a bigint beyond 2^31 − 1. */
export type ReplicateValue = number | bigint

/**
 * The replicates of a stage as values: the column itself when the definition has no big replicate
 * (the common path, no copy), else the column with each code replaced by its bigint.
 */
export const replicatesOf = (
  columns: Pick<DefinitionColumns, "bigReplicates">,
  stage: StageColumns
): ArrayLike<ReplicateValue> => {
  const big = columns.bigReplicates
  if (big === undefined || big.length === 0) return stage.replicate
  return Array.from(stage.replicate, (r): ReplicateValue => (r > 0 ? r : big[-r - 1]!))
}

const columnsByDefinition = new WeakMap<CohortDefinition, DefinitionColumns>()

/**
 * A `CohortDefinition` over columns. Its entry arrays are made on first access only, so code that
 * works on the columns (membership, coverage, manifest) never pays for them.
 */
export const definitionOfColumns = (columns: DefinitionColumns): CohortDefinition => {
  /** A stage's entries, made once on first call; `make` gets the texts of entry i and its parent index. */
  const entries = <A>(
    stage: Stage,
    make: (parent: number, templateId: string, llmModelId: string, replicate: ReplicateValue) => A
  ): () => Array<A> => {
    let made: Array<A> | undefined
    return () => {
      if (made === undefined) {
        const { llm, parent, size, template } = columns[`${stage}s`]
        const replicate = replicatesOf(columns, columns[`${stage}s`])
        const templates = columns.templates[stage]
        const llms = columns.llms[stage]
        made = new Array(size)
        for (let i = 0; i < size; i++) {
          made[i] = make(parent[i]!, templates[template[i]!]!, llms[llm[i]!]!, replicate[i]!)
        }
      }
      return made
    }
  }
  const draftsOf = entries<DraftPlanEntry>("draft", (combo, templateId, llmModelId, replicate) => ({
    comboId: columns.combos[combo]!,
    templateId,
    llmModelId,
    replicate
  }))
  const essaysOf = entries<EssayPlanEntry>("essay", (draft, templateId, llmModelId, replicate) => ({
    draft: draftsOf()[draft]!,
    templateId,
    llmModelId,
    replicate
  }))
  const evaluationsOf = entries<EvaluationPlanEntry>("evaluation", (essay, templateId, llmModelId, replicate) => ({
    essay: essaysOf()[essay]!,
    templateId,
    llmModelId,
    replicate
  }))
  const definition = Object.defineProperties({} as CohortDefinition, {
    drafts: { enumerable: true, get: draftsOf },
    essays: { enumerable: true, get: essaysOf },
    evaluations: { enumerable: true, get: evaluationsOf }
  })
  columnsByDefinition.set(definition, columns)
  return definition
}

/** The one error of an entry the builder refuses. */
const entryError = (entry: OrphanEntry, cohortId: string): InvalidConstraint =>
  new InvalidConstraint({
    reason: entry.reason ??
      `an ${entry.stage}'s ${entry.stage === "essay" ? "draft" : "essay"} is not in the definition`,
    constraint: "definition-entry",
    cohortId,
    details: [entry.description]
  })

/**
 * The columns of a definition: those it was made from, or new ones read from its entries (a definition
 * built by hand or decoded), or (`Left`) the first entry the builder refuses.
 */
export const columnsOf = (definition: CohortDefinition): Either.Either<DefinitionColumns, OrphanEntry> => {
  const columns = columnsByDefinition.get(definition)
  return columns !== undefined ? Either.right(columns) : columnsFromEntries(definition)
}

/** How many entries a definition has, without making its entry arrays (a definition over columns has none yet). */
export const entryCount = (definition: CohortDefinition): number => {
  const columns = columnsByDefinition.get(definition)
  return columns !== undefined
    ? columns.drafts.size + columns.essays.size + columns.evaluations.size
    : definition.drafts.length + definition.essays.length + definition.evaluations.length
}

/** The columns of a definition (see `columnsOf`), failing for the first entry the builder refuses. */
export const definitionColumns = (
  definition: CohortDefinition,
  cohortId: string
): Effect.Effect<DefinitionColumns, InvalidConstraint> =>
  Effect.suspend(() => Either.mapLeft(columnsOf(definition), (entry) => entryError(entry, cohortId)))

/** The distinct texts a definition uses, per field. */
export interface DefinitionTexts {
  readonly combos: ReadonlyArray<string>
  readonly templates: Readonly<Record<Stage, ReadonlyArray<string>>>
  readonly llms: Readonly<Record<Stage, ReadonlyArray<string>>>
}

const distinct = <A>(items: ReadonlyArray<A>, f: (a: A) => string): Array<string> => [...new Set(items.map(f))]

/** The distinct texts of a definition: its columns' when it has them, else read from its entries. */
export const definitionTexts = (definition: CohortDefinition): DefinitionTexts =>
  columnsByDefinition.get(definition) ?? {
    combos: distinct(definition.drafts, (d) => d.comboId),
    templates: {
      draft: distinct(definition.drafts, (d) => d.templateId),
      essay: distinct(definition.essays, (e) => e.templateId),
      evaluation: distinct(definition.evaluations, (v) => v.templateId)
    },
    llms: {
      draft: distinct(definition.drafts, (d) => d.llmModelId),
      essay: distinct(definition.essays, (e) => e.llmModelId),
      evaluation: distinct(definition.evaluations, (v) => v.llmModelId)
    }
  }
