import { Either } from "effect"
import { columnsOf, replicatesOf, type ReplicateValue } from "../engine/DefinitionColumns.js"
import type { CohortDefinition } from "./CohortDefinition.js"
import type { ColumnTable } from "./Frame.js"
import { replicationFromFrame } from "./Manifest.js"
import { pyStrip } from "./PythonText.js"
import { showValue } from "./SpecValue.js"
import { type Stage, STAGES } from "./Stage.js"

const TEMPLATE_SLICES = {
  draft: "draft_templates",
  essay: "essay_templates",
  evaluation: "evaluation_templates"
} as const

/** Where a slice was read from, for the warning's first words. */
const fileOf = (metadata: Readonly<Record<string, unknown>>, slice: string): string => {
  const files = metadata["catalog_files"]
  const path = typeof files === "object" && files !== null ? (files as Record<string, unknown>)[slice] : undefined
  return typeof path === "string" ? path : slice
}

const cell = (frame: ColumnTable, column: string, row: number): string =>
  frame.columnNames().includes(column) ? String((frame.array(column) as ArrayLike<unknown>)[row] ?? "") : ""

/** A template listed more than once with different `generator` values: the last row decides, as in the original. */
const conflictingGenerators = (
  frames: Readonly<Record<string, ColumnTable>>,
  metadata: Readonly<Record<string, unknown>>
): Array<string> => {
  const out: Array<string> = []
  for (const stage of STAGES) {
    const slice = TEMPLATE_SLICES[stage]
    const frame = frames[slice]
    if (frame === undefined || !frame.columnNames().includes("template_id")) continue
    const modes = new Map<string, Array<string>>()
    for (let i = 0; i < frame.numRows(); i++) {
      const id = pyStrip(cell(frame, "template_id", i))
      if (id === "") continue
      const mode = pyStrip(cell(frame, "generator", i)).toLowerCase() || "llm"
      const seen = modes.get(id)
      if (seen === undefined) modes.set(id, [mode])
      else seen.push(mode)
    }
    for (const [id, seen] of modes) {
      if (new Set(seen).size > 1) {
        out.push(
          `${fileOf(metadata, slice)}: template ${showValue(id)} is listed ${seen.length} times with different ` +
            `generator values (${seen.map((m) => showValue(m)).join(", ")}); the last one, ${
              showValue(seen.at(-1)!)
            }, is used`
        )
      }
    }
  }
  return out
}

/** The highest replicate of each stage in a definition (0 for a stage without entries). */
const maxReplicates = (definition: CohortDefinition): Record<Stage, ReplicateValue> => {
  const max = (values: ArrayLike<ReplicateValue>): ReplicateValue => {
    let m: ReplicateValue = 0
    for (let i = 0; i < values.length; i++) if (values[i]! > m) m = values[i]!
    return m
  }
  return Either.match(columnsOf(definition), {
    onLeft: () => ({
      draft: max(definition.drafts.map((d) => d.replicate)),
      essay: max(definition.essays.map((e) => e.replicate)),
      evaluation: max(definition.evaluations.map((v) => v.replicate))
    }),
    onRight: (columns) => ({
      draft: max(replicatesOf(columns, columns.drafts)),
      essay: max(replicatesOf(columns, columns.essays)),
      evaluation: max(replicatesOf(columns, columns.evaluations))
    })
  })
}

/**
 * `replication_config.csv` rows the manifest leaves out (an unknown stage, replicates that are not a whole
 * number ≥ 1) and stages whose factor disagrees with the replicates the membership actually has.
 */
const replicationDisagreements = (
  frame: ColumnTable | undefined,
  metadata: Readonly<Record<string, unknown>>,
  definition: CohortDefinition
): Array<string> => {
  if (frame === undefined) return []
  const file = fileOf(metadata, "replication_config")
  const out: Array<string> = []
  const used = replicationFromFrame(frame)
  for (let i = 0; i < frame.numRows(); i++) {
    const stage = pyStrip(cell(frame, "stage", i))
    const value = cell(frame, "replicates", i)
    const alone = frame.slice(i, i + 1)
    if (Object.keys(replicationFromFrame(alone)).length === 0) {
      out.push(
        `${file}: row ${i + 2} (stage ${showValue(stage)}, replicates ${showValue(value)}) is ignored: ` +
          "the stage must be draft, essay or evaluation and replicates a whole number ≥ 1, " +
          "so it is not in the manifest"
      )
    }
  }
  const actual = maxReplicates(definition)
  for (const stage of STAGES) {
    const declared = used[stage]
    if (declared !== undefined && actual[stage] > 0 && BigInt(declared) !== BigInt(actual[stage])) {
      out.push(
        `${file}: stage ${stage} declares ${declared} replicate(s), but the membership's ${stage}s have ` +
          `${actual[stage]} (the highest replicate of the stage)`
      )
    }
  }
  return out
}

/** Catalog problems that do not stop a build but would surprise its author: each a validation warning. */
export const catalogWarnings = (
  frames: Readonly<Record<string, ColumnTable>>,
  metadata: Readonly<Record<string, unknown>>,
  definition: CohortDefinition
): Array<string> => [
  ...conflictingGenerators(frames, metadata),
  ...replicationDisagreements(frames["replication_config"], metadata, definition)
]
