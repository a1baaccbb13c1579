import { allowlistsFromFrames } from "../domain/CatalogCoverage.js"
import type { ColumnTable } from "../domain/Frame.js"
import type { MembershipRows } from "../domain/MembershipRows.js"
import { type Stage, STAGES } from "../domain/Stage.js"
import type { Rule } from "../dsl/ParsedSpec.js"
import type { CohortStatus } from "../lifecycle/Status.js"
import { type AxisBalance, axisBalances, type Coupling, couplings } from "./Balance.js"
import { lineageOf } from "./Lineage.js"
import { type MembershipSample, sampleMembership } from "./MembershipSample.js"

/** A measure of the funnel, per stage. */
export type FunnelKey = "members" | "withMetadata" | "withRaw" | "withParsed" | "llmCalls"

/** The stage funnel: members per stage and, for a built cohort, what the store has of them. */
export interface Funnel {
  readonly built: boolean
  readonly measures: ReadonlyArray<{ readonly key: FunnelKey; readonly label: string }>
  readonly stages: ReadonlyArray<{ readonly stage: Stage; readonly values: Readonly<Record<FunnelKey, number>> }>
}

/** One catalog check: the values a stage uses and those its catalog does not list. */
export interface CoverageCheck {
  readonly check: string
  readonly catalog: string
  readonly used: number
  readonly listed: number
  readonly missing: ReadonlyArray<string>
}

/** A catalog file read for the report: where, how many rows, its hash. */
export interface CatalogFile {
  readonly slice: string
  readonly file: string
  readonly rows: number | undefined
  readonly sha256: string | undefined
}

/** The audit metadata: the spec, its hash and includes, the catalogs and the times. */
export interface Audit {
  readonly specPath: string | undefined
  readonly specText: string | undefined
  readonly specSha256: string | undefined
  readonly includes: ReadonlyArray<{ readonly path: string; readonly sha256: string }>
  readonly catalogs: ReadonlyArray<CatalogFile>
  /** When this report was made (ISO 8601, from the Clock). */
  readonly reportTimestamp: string
  /** When membership.csv was last written (a built cohort). */
  readonly builtAt: string | undefined
}

/** Everything the page shows, as data: what the unit tests check against the membership. */
export interface ReportModel {
  readonly cohortId: string
  readonly source: "membership" | "spec"
  readonly path: string
  readonly status: CohortStatus
  readonly funnel: Funnel
  readonly balances: ReadonlyArray<AxisBalance>
  readonly couplings: ReadonlyArray<Coupling>
  /** Notes on what the report could not show (rules it cannot count, catalogs not read). */
  readonly notes: ReadonlyArray<string>
  readonly coverage: ReadonlyArray<CoverageCheck> | undefined
  readonly warnings: ReadonlyArray<string>
  /** The error that stopped the validation (the build would fail with it), if any. */
  readonly validationError: string | undefined
  readonly audit: Audit
  readonly sample: MembershipSample
}

const MEASURES: ReadonlyArray<{ key: FunnelKey; label: string; builtOnly: boolean }> = [
  { key: "members", label: "members", builtOnly: false },
  { key: "withMetadata", label: "with metadata.json", builtOnly: true },
  { key: "withRaw", label: "with raw.txt", builtOnly: true },
  { key: "withParsed", label: "with parsed.txt", builtOnly: true },
  { key: "llmCalls", label: "LLM calls next run", builtOnly: false }
]

/** The funnel of a status. */
export const funnelOf = (status: CohortStatus): Funnel => {
  const built = status.source === "membership"
  const measures = MEASURES.filter((m) => built || !m.builtOnly).map(({ key, label }) => ({ key, label }))
  return {
    built,
    measures,
    stages: STAGES.map((stage) => {
      const s = status.stages[stage]
      return {
        stage,
        values: {
          members: s.members,
          withMetadata: s.withMetadata,
          withRaw: s.withRaw,
          withParsed: s.withParsed,
          llmCalls: s.llmCalls
        }
      }
    })
  }
}

const CHECKS: ReadonlyArray<
  { check: string; catalog: string; stage: Stage; field: "comboId" | "templateId" | "llmModelId" }
> = [
  { check: "combo_id", catalog: "combo_mappings", stage: "draft", field: "comboId" },
  ...STAGES.flatMap((stage) => [
    { check: `${stage} template_id`, catalog: `${stage}_templates`, stage, field: "templateId" as const },
    { check: `${stage} llm_model_id`, catalog: "llm_models", stage, field: "llmModelId" as const }
  ])
]

/** What the membership uses of each catalog, and what the catalog does not list (REFERENCE §6). */
export const coverageOf = (
  rows: MembershipRows,
  frames: Readonly<Record<string, ColumnTable>>
): Array<CoverageCheck> => {
  const allow = allowlistsFromFrames(frames)
  return CHECKS.map(({ catalog, check, field, stage }) => {
    const used = new Set<string>()
    for (let i = 0; i < rows.genId.length; i++) if (rows.stage[i] === stage) used.add(String(rows[field][i]))
    const allowed = field === "comboId"
      ? allow.combos
      : field === "templateId"
      ? allow.templates[stage]
      : allow.llms[stage]
    const missing = [...used].filter((v) => !allowed.has(v)).sort()
    return { check, catalog, used: used.size, listed: allowed.size, missing }
  })
}

/** What the report is made of, gathered by `cohortReport`. */
export interface ReportInput {
  readonly status: CohortStatus
  readonly rows: MembershipRows
  readonly rules: ReadonlyArray<Rule>
  readonly frames: Readonly<Record<string, ColumnTable>> | undefined
  readonly warnings: ReadonlyArray<string>
  readonly validationError: string | undefined
  readonly audit: Audit
  readonly notes: ReadonlyArray<string>
  /** Files of a shown generation (bits of GenerationFiles), for a built cohort's table. */
  readonly probe: ((stage: Stage, genId: string) => number) | undefined
}

/** The report's data from its inputs. */
export const reportModel = (input: ReportInput): ReportModel => {
  const lineage = lineageOf(input.rows)
  const coupled = couplings(input.rows, lineage, input.rules)
  return {
    cohortId: input.status.cohortId,
    source: input.status.source,
    path: input.status.path,
    status: input.status,
    funnel: funnelOf(input.status),
    balances: axisBalances(input.rows, lineage),
    couplings: coupled.couplings,
    notes: [
      ...input.status.notes,
      ...input.notes,
      ...coupled.skipped.map((r) => `${r}: not charted (it couples columns the membership does not carry)`)
    ],
    coverage: input.frames === undefined ? undefined : coverageOf(input.rows, input.frames),
    warnings: input.warnings,
    validationError: input.validationError,
    audit: input.audit,
    sample: sampleMembership(input.rows, lineage, input.probe)
  }
}
