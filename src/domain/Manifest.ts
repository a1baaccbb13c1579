import { definitionTexts } from "../engine/DefinitionColumns.js"
import { columnValues } from "./CatalogCoverage.js"
import type { CohortDefinition } from "./CohortDefinition.js"
import type { ColumnTable } from "./Frame.js"
import { pyStrip, sortedUnique } from "./PythonText.js"
import { isStage, type Stage } from "./Stage.js"

/**
 * `cohorts/<id>/manifest.json`: the combos, templates, LLMs and replication of a cohort, key order as the
 * original writes it.
 */
export interface Manifest {
  readonly combos: ReadonlyArray<string>
  readonly templates: {
    readonly draft: ReadonlyArray<string>
    readonly essay: ReadonlyArray<string>
    readonly evaluation: ReadonlyArray<string>
  }
  readonly llms: { readonly generation: ReadonlyArray<string>; readonly evaluation: ReadonlyArray<string> }
  readonly replication: Readonly<Record<string, number>>
}

/**
 * Replication factors from a `stage,replicates` frame, as the original reads them: rows with a known
 * stage and a whole number ≥ 1; later rows override earlier ones.
 */
export const replicationFromFrame = (frame: ColumnTable | undefined): Record<string, number> => {
  const out: Record<string, number> = {}
  if (frame === undefined) return out
  const names = frame.columnNames()
  if (!names.includes("stage") || !names.includes("replicates")) return out
  const stages = frame.array("stage") as ArrayLike<unknown>
  const reps = frame.array("replicates") as ArrayLike<unknown>
  for (let i = 0; i < stages.length; i++) {
    const stage = pyStrip(String(stages[i] ?? ""))
    const n = Number(pyStrip(String(reps[i] ?? "")))
    if (isStage(stage) && Number.isFinite(n) && String(reps[i] ?? "").trim() !== "" && Math.trunc(n) >= 1) {
      out[stage] = Math.trunc(n)
    }
  }
  return out
}

/** The manifest of a definition: what the cohort uses, each list sorted and unique. */
export const manifestOf = (definition: CohortDefinition, replication: Readonly<Record<string, number>>): Manifest => {
  const { combos, llms, templates } = definitionTexts(definition)
  return {
    combos: sortedUnique(combos),
    templates: {
      draft: sortedUnique(templates.draft),
      essay: sortedUnique(templates.essay),
      evaluation: sortedUnique(templates.evaluation)
    },
    llms: { generation: sortedUnique(llms.draft), evaluation: sortedUnique(llms.evaluation) },
    replication
  }
}

/** Generation mode of each used template (the `generator` column, default `llm`), per stage. */
export const templateModes = (
  frames: Readonly<Record<string, ColumnTable>>,
  manifest: Manifest
): Record<Stage, Record<string, string>> => {
  const modes = (slice: string, used: ReadonlyArray<string>): Record<string, string> => {
    const frame = frames[slice]
    // Keyed by template ids (data): no prototype, so `__proto__` is a key like any other.
    const out: Record<string, string> = Object.create(null)
    if (frame === undefined) return out
    const wanted = new Set(used)
    const ids = frame.array("template_id") as ArrayLike<unknown>
    const generators = frame.columnNames().includes("generator")
      ? (frame.array("generator") as ArrayLike<unknown>)
      : undefined
    for (let i = 0; i < ids.length; i++) {
      const id = pyStrip(String(ids[i] ?? ""))
      if (!wanted.has(id)) continue
      const mode = generators === undefined ? "" : pyStrip(String(generators[i] ?? "")).toLowerCase()
      out[id] = mode === "" ? "llm" : mode
    }
    return out
  }
  return {
    draft: modes("draft_templates", manifest.templates.draft),
    essay: modes("essay_templates", manifest.templates.essay),
    evaluation: modes("evaluation_templates", manifest.templates.evaluation)
  }
}

/** The combo catalog summary: distinct combos and the highest `version` (`v<n>` compared numerically). */
export const comboSummary = (frame: ColumnTable): { combo_count: number; max_version: string | null } => {
  const combos = new Set(columnValues(frame, "combo_id"))
  let max: string | null = null
  const rank = (v: string): [number, string] => {
    const m = /^v(\d+)$/i.exec(v)
    return m === null ? [-1, v] : [Number(m[1]), v]
  }
  for (const version of columnValues(frame, "version")) {
    if (max === null) {
      max = version
      continue
    }
    const [a, as] = rank(version)
    const [b, bs] = rank(max)
    if (a > b || (a === b && as > bs)) max = version
  }
  return { combo_count: combos.size, max_version: max }
}
