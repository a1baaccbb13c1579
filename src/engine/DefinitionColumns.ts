import { Effect } from "effect"
import type {
  CohortDefinition,
  DraftPlanEntry,
  EssayPlanEntry,
  EvaluationPlanEntry
} from "../domain/CohortDefinition.js"
import { hasControlCharacter } from "../domain/ControlCharacters.js"
import { replicateDigits } from "../domain/Signature.js"
import type { Stage } from "../domain/Stage.js"
import { InvalidConstraint } from "../errors/InvalidConstraint.js"

/**
 * One stage of a definition in columns: entry `i` is (`parent[i]`, `template[i]`, `llm[i]`,
 * `replicate[i]`), the first three indices into the definition's texts (a draft's parent is its combo,
 * an essay's its draft, an evaluation's its essay).
 */
export interface StageColumns {
  readonly size: number
  readonly parent: Int32Array
  readonly template: Int32Array
  readonly llm: Int32Array
  readonly replicate: Int32Array
}

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

/**
 * The side table of replicates beyond 2^31 − 1 (rare): a column holds the code -(k + 1) for the
 * k-th of them, so the common path keeps its 32-bit columns untouched.
 */
export const makeBigReplicates = () => {
  const values: Array<bigint> = []
  const codes = new Map<bigint, number>()
  return {
    values,
    code: (n: bigint): number => {
      let code = codes.get(n)
      if (code === undefined) codes.set(n, code = -values.push(n))
      return code
    }
  }
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

/** 32-bit integers over shared memory: a worker thread reads them without a copy. */
const sharedInts = (length: number) => new Int32Array(new SharedArrayBuffer(length * 4))

/** A growable column of 32-bit integers. */
export class IntColumn {
  private data = sharedInts(1024)
  size = 0
  push(value: number): void {
    if (this.size === this.data.length) {
      const grown = sharedInts(this.data.length * 2)
      grown.set(this.data)
      this.data = grown
    }
    this.data[this.size++] = value
  }
  /** The filled part (a view; the column must not grow afterwards). */
  view(): Int32Array {
    return this.data.subarray(0, this.size)
  }
}

/** The four columns of one stage, filled row by row. */
export class StageBuilder {
  readonly parent = new IntColumn()
  readonly template = new IntColumn()
  readonly llm = new IntColumn()
  readonly replicate = new IntColumn()
  get size(): number {
    return this.parent.size
  }
  push(parent: number, template: number, llm: number, replicate: number): number {
    this.parent.push(parent)
    this.template.push(template)
    this.llm.push(llm)
    this.replicate.push(replicate)
    return this.parent.size - 1
  }
  done(): StageColumns {
    return {
      size: this.size,
      parent: this.parent.view(),
      template: this.template.view(),
      llm: this.llm.view(),
      replicate: this.replicate.view()
    }
  }
}

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
 * or (`reason`) one of its fields is not a valid id or replicate.
 */
export interface OrphanEntry {
  readonly stage: Stage
  readonly description: string
  readonly reason?: string
}

/** Replicates up to this are stored in the 32-bit columns as themselves; larger ones in the side table. */
const MAX_REPLICATE = 2 ** 31 - 1

/**
 * Why an entry handed in by an embedder cannot be built (the builder owns this validation: a definition
 * need not come from a spec): ids must be non-empty strings without control characters, replicates
 * whole numbers ≥ 1 (a number or a bigint; any size, as Python's `int`).
 */
const entryProblem = (
  stage: Stage,
  index: number,
  entry: {
    readonly templateId: unknown
    readonly llmModelId: unknown
    readonly replicate: unknown
    readonly comboId?: unknown
  }
): OrphanEntry | undefined => {
  const fields: Array<[string, unknown]> = [["templateId", entry.templateId], ["llmModelId", entry.llmModelId]]
  if (stage === "draft") fields.unshift(["comboId", entry.comboId])
  const describe = (field: string, value: unknown) =>
    `${stage}s[${index}].${field}: ${typeof value === "string" ? JSON.stringify(value) : String(value)}`
  for (const [field, value] of fields) {
    if (typeof value !== "string" || value === "" || hasControlCharacter(value)) {
      const what = typeof value !== "string"
        ? `not a string (${typeof value})`
        : value === ""
        ? "empty"
        : "holds a control character"
      return { stage, description: describe(field, value), reason: `a ${stage} entry's ${field} is ${what}` }
    }
  }
  const r = entry.replicate
  if (typeof r === "bigint" ? r < 1n : typeof r !== "number" || !Number.isInteger(r) || r < 1) {
    return {
      stage,
      description: describe("replicate", r),
      reason: `a ${stage} entry's replicate must be a whole number of at least 1`
    }
  }
  return undefined
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

/** The columns of a definition (see `columnsOf`), failing for the first entry the builder refuses. */
export const definitionColumns = (
  definition: CohortDefinition,
  cohortId: string
): Effect.Effect<DefinitionColumns, InvalidConstraint> =>
  Effect.suspend(() => {
    const columns = columnsOf(definition)
    return isOrphanEntry(columns) ? entryError(columns, cohortId) : Effect.succeed(columns)
  })

const checkEntries = (definition: CohortDefinition): OrphanEntry | undefined => {
  const stages = [["draft", definition.drafts], ["essay", definition.essays], [
    "evaluation",
    definition.evaluations
  ]] as const
  for (const [stage, entries] of stages) {
    for (let i = 0; i < entries.length; i++) {
      const problem = entryProblem(stage, i, entries[i]!)
      if (problem !== undefined) return problem
    }
  }
  return undefined
}

const fromEntries = (definition: CohortDefinition): DefinitionColumns | OrphanEntry => {
  const combos = new TextIndex()
  const templates = { draft: new TextIndex(), essay: new TextIndex(), evaluation: new TextIndex() }
  const llms = { draft: new TextIndex(), essay: new TextIndex(), evaluation: new TextIndex() }
  const drafts = new StageBuilder()
  const bad = checkEntries(definition)
  if (bad !== undefined) return bad
  const big = makeBigReplicates()
  const code = (r: ReplicateValue): number =>
    typeof r === "number" && r <= MAX_REPLICATE ? r : r <= MAX_REPLICATE ? Number(r) : big.code(BigInt(r))
  for (const d of definition.drafts) {
    drafts.push(combos.of(d.comboId), templates.draft.of(d.templateId), llms.draft.of(d.llmModelId), code(d.replicate))
  }
  const essays = new StageBuilder()
  const draftOf = makeParentLookup(definition.drafts, draftKey)
  for (const e of definition.essays) {
    const parent = draftOf(e.draft)
    if (parent === undefined) {
      return {
        stage: "essay",
        description: `essay template ${e.templateId} on draft ${draftKey(e.draft).split(SEP).join(" / ")}`
      }
    }
    essays.push(parent, templates.essay.of(e.templateId), llms.essay.of(e.llmModelId), code(e.replicate))
  }
  const evaluations = new StageBuilder()
  const essayOf = makeParentLookup(definition.essays, essayKey)
  for (const v of definition.evaluations) {
    const parent = essayOf(v.essay)
    if (parent === undefined) {
      return {
        stage: "evaluation",
        description: `evaluation template ${v.templateId} on essay template ${v.essay.templateId}`
      }
    }
    evaluations.push(parent, templates.evaluation.of(v.templateId), llms.evaluation.of(v.llmModelId), code(v.replicate))
  }
  return {
    combos: combos.texts,
    templates: { draft: templates.draft.texts, essay: templates.essay.texts, evaluation: templates.evaluation.texts },
    llms: { draft: llms.draft.texts, essay: llms.essay.texts, evaluation: llms.evaluation.texts },
    drafts: drafts.done(),
    essays: essays.done(),
    evaluations: evaluations.done(),
    unique: false,
    ...(big.values.length === 0 ? {} : { bigReplicates: big.values })
  }
}

/**
 * The columns of a definition: those it was made from, or new ones read from its entries (a definition
 * built by hand or decoded), or the first entry whose parent is missing.
 */
export const columnsOf = (definition: CohortDefinition): DefinitionColumns | OrphanEntry =>
  columnsByDefinition.get(definition) ?? fromEntries(definition)

export const isOrphanEntry = (value: DefinitionColumns | OrphanEntry): value is OrphanEntry => "description" in value

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
