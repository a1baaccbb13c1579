import type { CohortDefinition } from "../domain/CohortDefinition.js"
import {
  badReplicateReason,
  CONTROL_REASON,
  type DesignField,
  FIELD_ALIASES,
  fieldText,
  missingFieldReason,
  REPLICATE_FIELDS,
  replicateOf,
  rowProblem,
  TEXT_FIELDS
} from "../domain/DefinitionFromRows.js"
import type { SpecValue } from "../domain/SpecValue.js"
import type { InvalidSpec } from "../errors/InvalidSpec.js"
import { definitionOfColumns } from "./DefinitionColumns.js"
import { BAD, EMPTY, makePairSet, makeTextPool, type Pack, pack, type TextPool } from "./DesignTexts.js"
import { makeBigReplicates, StageBuilder } from "./StageColumns.js"

type Failure = { readonly key: string; readonly reason: string; readonly value?: string }

/** Why field `f` of a row has no usable text: missing, or control characters. */
const fieldProblem = (
  f: number,
  id: number,
  columns: ReadonlyArray<number>,
  row: ReadonlyArray<SpecValue>
): Failure => {
  const field = TEXT_FIELDS[f]!
  if (id === EMPTY) return { key: field, reason: missingFieldReason(field) }
  if (id === BAD) {
    const text = columns.map((c) => fieldText(row[c])).find((t) => t !== "")
    return { key: field, reason: CONTROL_REASON, value: text ?? "" }
  }
  return { key: field, reason: "no usable text" }
}

/** How a visitor reads a row's fields: text id of field `f` in column `c`, replicate in column `c`, raw values. */
export interface RowReader {
  readonly textAt: (field: number, column: number) => number
  readonly replicateAt: (column: number) => number | string
  readonly values: () => ReadonlyArray<SpecValue>
}

/** The evaluation fields of consecutive rows: text ids of template and LLM, replicate, triple number. */
export interface EvaluationRun {
  readonly template: Int32Array
  readonly llm: Int32Array
  readonly replicate: Int32Array
  readonly triple: Int32Array
}

/** Fields in readRow's order: the seven texts, then the three replicates. */
const FIELDS = TEXT_FIELDS.length + REPLICATE_FIELDS.length
/** The axis of a field without columns: never "unchanged" (it is read on every row). */
const ALWAYS = 2 ** 30

/** The state of one run over a design: the interned texts, the stage columns, the indexes that dedupe. */
export class DefinitionBuilder {
  readonly textColumns: ReadonlyArray<ReadonlyArray<number>>
  readonly repColumns: ReadonlyArray<ReadonlyArray<number>>
  readonly pools: ReadonlyArray<TextPool> = TEXT_FIELDS.map(() => makeTextPool())
  /** Replicates beyond 2^31 − 1 (rare): a column holds the code -(k + 1) of the k-th. */
  readonly big = makeBigReplicates()
  /** `replicateOf` with a replicate beyond 2^31 − 1 as its code in the side table. */
  readonly replicateOf = (value: SpecValue | undefined): number | string => {
    const r = replicateOf(value)
    return typeof r === "bigint" ? this.big.code(r) : r
  }
  readonly drafts = new StageBuilder()
  readonly essays = new StageBuilder()
  /** A design yields at most one evaluation per row: with its size known, the columns never grow. */
  readonly evaluations: StageBuilder
  // Entries are found through nested maps keyed by packed (template, llm, replicate) numbers; rows in
  // product order mostly repeat the previous row's draft and essay, so those are checked first.
  private readonly draftIndex = new Map<number, Map<Pack, number>>()
  private readonly essayIndex: Array<Map<Pack, number>> = []
  evaluationSeen = makePairSet(undefined)
  /** Triple ids by evaluation template, LLM, then replicate (a sparse array: replicates are small). */
  private readonly tripleIds: Array<Array<Array<number>>> = []
  private tripleCount = 0
  /** Per field (FIELDS order), the highest axis its columns read: below a row's `changed`, it is the last row's. */
  private fieldAxis: ReadonlyArray<number> = new Array(FIELDS).fill(ALWAYS)
  private readonly ids = new Int32Array(7)
  private readonly reps = new Int32Array(3).fill(1)
  private lastDraft = -1
  private lastEssay = -1
  private readonly last = new Int32Array(7).fill(-1)
  private readonly lastReps = new Int32Array(3).fill(-1)
  failure: InvalidSpec | undefined

  constructor(readonly columns: ReadonlyArray<string>, readonly source: string, rows?: number) {
    const at = (f: DesignField) => FIELD_ALIASES[f].map((name) => columns.indexOf(name)).filter((i) => i >= 0)
    this.textColumns = TEXT_FIELDS.map(at)
    this.repColumns = REPLICATE_FIELDS.map(at)
    this.evaluations = new StageBuilder(rows)
  }

  /** Rows will come with `changed` axes (`DesignLevels.forEach`): column `c` reads axis `columnAxes[c]`. */
  readsAxes(columnAxes: ReadonlyArray<number>): void {
    this.fieldAxis = [...this.textColumns, ...this.repColumns].map((cs) =>
      cs.length === 0 ? ALWAYS : Math.max(...cs.map((c) => columnAxes[c]!))
    )
  }

  private fail(rowIndex: number, f: Failure): false {
    this.failure = rowProblem(this.source, rowIndex, f.key, f.reason, f.value)
    return false
  }

  private draftOf(): number {
    const { ids, reps } = this
    let byCombo = this.draftIndex.get(ids[0]!)
    if (byCombo === undefined) this.draftIndex.set(ids[0]!, byCombo = new Map())
    const key = pack(ids[1]!, ids[2]!, reps[0]!)
    const found = byCombo.get(key)
    if (found !== undefined) return found
    const draft = this.drafts.push(ids[0]!, ids[1]!, ids[2]!, reps[0]!)
    byCombo.set(key, draft)
    this.essayIndex.push(new Map())
    return draft
  }

  private essayOf(draft: number): number {
    const { ids, reps } = this
    const byDraft = this.essayIndex[draft]!
    const key = pack(ids[3]!, ids[4]!, reps[1]!)
    const found = byDraft.get(key)
    if (found !== undefined) return found
    const essay = this.essays.push(draft, ids[3]!, ids[4]!, reps[1]!)
    byDraft.set(key, essay)
    return essay
  }

  /** The number of an evaluation's (template, llm, replicate): few distinct ones, so pair sets hold small integers. */
  private tripleOf(): number {
    const { ids, reps } = this
    const byLlm = this.tripleIds[ids[5]!] ??= []
    const byReplicate = byLlm[ids[6]!] ??= []
    return byReplicate[reps[2]!] ??= this.tripleCount++
  }

  /** Keeps the evaluation fields of the row read last (its template, LLM, replicate, triple) as `run`'s `s`-th. */
  keepEvaluation(run: EvaluationRun, s: number): void {
    run.template[s] = this.ids[5]!
    run.llm[s] = this.ids[6]!
    run.replicate[s] = this.reps[2]!
    run.triple[s] = this.tripleOf()
  }

  /**
   * Adds the evaluations `rest` to the essay of the row read last, when that row added an evaluation
   * (there were `before`): rows that differ from it only in axes read by evaluation fields alone (the
   * same draft and essay) add those, all new with the essay; an essay met before has them already.
   */
  addEvaluations(rest: EvaluationRun, before: number): void {
    if (this.evaluations.size === before) return
    this.evaluations.pushRun(this.lastEssay, rest.template, rest.llm, rest.replicate)
  }

  /** Adds the entries of a row whose fields are in `ids` and `reps`. */
  private addEntries(): void {
    const { ids, last, lastReps, reps } = this
    const sameDraft = this.lastDraft >= 0 && ids[0] === last[0] && ids[1] === last[1] && ids[2] === last[2] &&
      reps[0] === lastReps[0]
    const draft = sameDraft ? this.lastDraft : this.draftOf()
    const essay = !sameDraft || ids[3] !== last[3] || ids[4] !== last[4] || reps[1] !== lastReps[1]
      ? this.essayOf(draft)
      : this.lastEssay
    if (this.evaluationSeen(essay, this.tripleOf())) this.evaluations.push(essay, ids[5]!, ids[6]!, reps[2]!)
    this.lastDraft = draft
    this.lastEssay = essay
    for (let f = 0; f < 5; f++) last[f] = ids[f]!
    lastReps[0] = reps[0]!
    lastReps[1] = reps[1]!
  }

  /**
   * Reads row `r`'s fields into `ids` and `reps` (each the first non-empty of its columns), then adds
   * its entries; false once a field is bad (`failure` is set). A field whose axes are all before
   * `changed` keeps the last row's value (it was read and good then).
   */
  readRow(r: number, read: RowReader, changed = 0): boolean {
    const { fieldAxis } = this
    for (let f = 0; f < 7; f++) {
      if (fieldAxis[f]! < changed) continue
      let id = EMPTY
      for (const c of this.textColumns[f]!) {
        id = read.textAt(f, c)
        if (id !== EMPTY) break
      }
      if (id < 0) return this.fail(r, fieldProblem(f, id, this.textColumns[f]!, read.values()))
      this.ids[f] = id
    }
    for (let k = 0; k < 3; k++) {
      if (fieldAxis[7 + k]! < changed) continue
      let rep = 0
      for (const c of this.repColumns[k]!) {
        const found = read.replicateAt(c)
        if (typeof found === "string") {
          return this.fail(r, { key: this.columns[c]!, reason: badReplicateReason(found), value: found })
        }
        rep = found
        if (rep !== 0) break
      }
      this.reps[k] = rep === 0 ? 1 : rep
    }
    this.addEntries()
    return true
  }

  definition(): CohortDefinition {
    const { pools } = this
    return definitionOfColumns({
      combos: pools[0]!.texts,
      templates: { draft: pools[1]!.texts, essay: pools[3]!.texts, evaluation: pools[5]!.texts },
      llms: { draft: pools[2]!.texts, essay: pools[4]!.texts, evaluation: pools[6]!.texts },
      drafts: this.drafts.done(),
      essays: this.essays.done(),
      evaluations: this.evaluations.done(),
      unique: true,
      ...(this.big.values.length === 0 ? {} : { bigReplicates: this.big.values })
    })
  }
}
