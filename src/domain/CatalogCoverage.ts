import { Effect } from "effect"
import { suggest } from "../dsl/Suggest.js"
import { definitionTexts } from "../engine/DefinitionColumns.js"
import { CoverageGap } from "../errors/CoverageGap.js"
import type { CohortDefinition } from "./CohortDefinition.js"
import type { CohortSpec, SpecPlace } from "./CohortSpec.js"
import type { ColumnTable } from "./Frame.js"
import type { MembershipRows } from "./MembershipRows.js"
import { pyStrip, sortedUnique } from "./PythonText.js"
import { type Stage, STAGES } from "./Stage.js"

/** What the catalogs allow (REFERENCE §6), each a set of stripped, non-empty values. */
export interface CatalogAllowlists {
  readonly combos: ReadonlySet<string>
  readonly templates: Readonly<Record<Stage, ReadonlySet<string>>>
  readonly llms: Readonly<Record<Stage, ReadonlySet<string>>>
}

/** The stripped, non-empty values of a frame's column (empty when the frame or column is absent). */
export const columnValues = (frame: ColumnTable | undefined, column: string): Array<string> => {
  if (frame === undefined || !frame.columnNames().includes(column)) return []
  const out: Array<string> = []
  const values = frame.array(column) as ArrayLike<unknown>
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (v === null || v === undefined) continue
    const text = pyStrip(String(v))
    if (text !== "") out.push(text)
  }
  return out
}

export const allowlistsFromFrames = (frames: Readonly<Record<string, ColumnTable>>): CatalogAllowlists => {
  const llms = new Set(columnValues(frames["llm_models"], "id"))
  const essayLlms = new Set(llms)
  // The original's essay catalog also allows the literal "None" (copy-mode essays have no LLM).
  if (essayLlms.size > 0) essayLlms.add("None")
  return {
    combos: new Set(columnValues(frames["combo_mappings"], "combo_id")),
    templates: {
      draft: new Set(columnValues(frames["draft_templates"], "template_id")),
      essay: new Set(columnValues(frames["essay_templates"], "template_id")),
      evaluation: new Set(columnValues(frames["evaluation_templates"], "template_id"))
    },
    // Draft LLMs fall back to essay LLMs in the original; both come from llm_models here.
    llms: { draft: llms.size > 0 ? llms : essayLlms, essay: essayLlms, evaluation: llms }
  }
}

interface Check {
  readonly stage: Stage | undefined
  readonly field: string
  readonly allowed: ReadonlySet<string>
  readonly values: Iterable<string>
}

/** Where a check's values are listed and where in a design row they come from. */
const CHECK_SOURCES: Record<string, { readonly slice: string; readonly designField: string }> = {
  "combo_id": { slice: "combo_mappings", designField: "combo_id" },
  "draft template_id": { slice: "draft_templates", designField: "draft_template" },
  "essay template_id": { slice: "essay_templates", designField: "essay_template" },
  "evaluation template_id": { slice: "evaluation_templates", designField: "evaluation_template" },
  "draft llm_model_id": { slice: "llm_models", designField: "draft_llm" },
  "essay llm_model_id": { slice: "llm_models", designField: "essay_llm" },
  "evaluation llm_model_id": { slice: "llm_models", designField: "evaluation_llm" }
}

/** Suggestions are looked for among at most this many listed values, for the first few missing ones. */
const SUGGEST_AMONG = 5_000
const SUGGEST_FOR = 20
const SUGGEST_MAX_LENGTH = 200

/** Where the catalogs were read from (slice → file), to name the catalog in a gap. */
export type CatalogFiles = Readonly<Record<string, string>>

/** Where the spec wrote a design field's value (`CohortSpec.placeOf`), asked only for a gap's values. */
export type PlaceOf = NonNullable<CohortSpec["placeOf"]>

/** Where the first few missing values were written, each found in the spec once a gap is known. */
const originsOf = (sorted: ReadonlyArray<string>, designField: string, placeOf: PlaceOf) => {
  const origins: Record<string, SpecPlace> = Object.create(null)
  for (const value of sorted.slice(0, SUGGEST_FOR)) {
    if (value.length > SUGGEST_MAX_LENGTH) continue
    const place = placeOf(designField, value)
    if (place !== undefined) origins[value] = place
  }
  return Object.keys(origins).length === 0 ? {} : { origins: { ...origins } }
}

const gapOf = (check: Check, missing: Array<string>, files: CatalogFiles, placeOf?: PlaceOf): CoverageGap => {
  const source = CHECK_SOURCES[check.stage === undefined ? check.field : `${check.stage} ${check.field}`]
  const sorted = sortedUnique(missing)
  const suggestions: Record<string, string> = Object.create(null)
  if (check.allowed.size <= SUGGEST_AMONG) {
    const known = [...check.allowed]
    for (const value of sorted.slice(0, SUGGEST_FOR)) {
      if (value.length > SUGGEST_MAX_LENGTH) continue
      const best = suggest(value, known.filter((k) => k.length <= SUGGEST_MAX_LENGTH))
      if (best !== undefined) suggestions[value] = best
    }
  }
  const catalog = source === undefined ? undefined : files[source.slice]
  return new CoverageGap({
    ...(check.stage === undefined ? {} : { stage: check.stage }),
    field: check.field,
    missing: sorted,
    ...(catalog === undefined ? {} : { catalog }),
    ...(source === undefined ? {} : { designField: source.designField }),
    ...(source === undefined || placeOf === undefined ? {} : originsOf(sorted, source.designField, placeOf)),
    ...(Object.keys(suggestions).length === 0 ? {} : { suggestions: { ...suggestions } })
  })
}

/** The gaps of `checks` in order (the first only, unless `all`); checks of a slice in `skip` are left out. */
const gapsOf = (
  checks: ReadonlyArray<Check>,
  files: CatalogFiles,
  all: boolean,
  skip: ReadonlySet<string> = new Set(),
  placeOf?: PlaceOf
): Array<CoverageGap> => {
  const out: Array<CoverageGap> = []
  for (const check of checks) {
    const source = CHECK_SOURCES[check.stage === undefined ? check.field : `${check.stage} ${check.field}`]
    if (source !== undefined && skip.has(source.slice)) continue
    const { allowed, values } = check
    const missing: Array<string> = []
    const seen = new Set<string>()
    for (const raw of values) {
      if (seen.has(raw)) continue
      seen.add(raw)
      const value = pyStrip(raw)
      if (value !== "" && !allowed.has(value)) missing.push(value)
    }
    if (missing.length > 0) out.push(gapOf(check, missing, files, placeOf))
    if (!all && out.length > 0) return out
  }
  return out
}

const firstGap = (checks: ReadonlyArray<Check>, files: CatalogFiles, placeOf?: PlaceOf): CoverageGap | undefined =>
  gapsOf(checks, files, false, new Set(), placeOf)[0]

/** The values a coverage check reads: combos, then templates and LLMs per stage. */
interface CheckedValues {
  readonly combos: Iterable<string>
  readonly templates: Readonly<Record<Stage, Iterable<string>>>
  readonly llms: Readonly<Record<Stage, Iterable<string>>>
}

/** The checks in the original's order: combos, each stage's templates, each stage's LLMs. */
const checksOf = (allow: CatalogAllowlists, values: CheckedValues): Array<Check> => [
  { stage: undefined, field: "combo_id", allowed: allow.combos, values: values.combos },
  ...STAGES.map((stage) => ({
    stage,
    field: "template_id",
    allowed: allow.templates[stage],
    values: values.templates[stage]
  })),
  ...STAGES.map((stage) => ({
    stage,
    field: "llm_model_id",
    allowed: allow.llms[stage],
    values: values.llms[stage]
  }))
]

const definitionChecks = (definition: CohortDefinition, allow: CatalogAllowlists): Array<Check> =>
  checksOf(allow, definitionTexts(definition))

/**
 * Every catalog gap of a definition (one per catalog and stage), in the original's order of checks;
 * checks against the catalogs in `skip` (slices that are missing, so every value would be a gap) are
 * left out. `validate` lists them all; a build stops at the first. With `placeOf`, each gap says where
 * the spec wrote its first missing values.
 */
export const definitionCoverageGaps = (
  definition: CohortDefinition,
  allow: CatalogAllowlists,
  files: CatalogFiles = {},
  skip: ReadonlySet<string> = new Set(),
  placeOf?: PlaceOf
): Array<CoverageGap> => gapsOf(definitionChecks(definition, allow), files, true, skip, placeOf)

/** The first catalog gap of a definition, in the original's order of checks, or nothing. */
export const definitionCoverageGap = (
  definition: CohortDefinition,
  allow: CatalogAllowlists,
  files: CatalogFiles = {},
  placeOf?: PlaceOf
): CoverageGap | undefined => firstGap(definitionChecks(definition, allow), files, placeOf)

function* stageValues(rows: MembershipRows, stage: Stage, column: Array<string>): Generator<string> {
  for (let i = 0; i < column.length; i++) if (rows.stage[i] === stage) yield column[i]!
}

/** The first catalog gap of membership rows, or nothing. */
export const rowsCoverageGap = (
  rows: MembershipRows,
  allow: CatalogAllowlists,
  files: CatalogFiles = {},
  placeOf?: PlaceOf
): CoverageGap | undefined => {
  const perStage = (column: Array<string>) =>
    ({
      draft: stageValues(rows, "draft", column),
      essay: stageValues(rows, "essay", column),
      evaluation: stageValues(rows, "evaluation", column)
    }) as const
  return firstGap(
    checksOf(allow, { combos: rows.comboId, templates: perStage(rows.templateId), llms: perStage(rows.llmModelId) }),
    files,
    placeOf
  )
}

/** Fails with the first catalog gap of a definition, in the original's order of checks. */
export const checkDefinitionCoverage = (
  definition: CohortDefinition,
  allow: CatalogAllowlists,
  files: CatalogFiles = {},
  placeOf?: PlaceOf
): Effect.Effect<void, CoverageGap> =>
  Effect.suspend(() => definitionCoverageGap(definition, allow, files, placeOf) ?? Effect.void)

/** Fails with the first catalog gap of membership rows. */
export const checkRowsCoverage = (
  rows: MembershipRows,
  allow: CatalogAllowlists,
  files: CatalogFiles = {},
  placeOf?: PlaceOf
): Effect.Effect<void, CoverageGap> => Effect.suspend(() => rowsCoverageGap(rows, allow, files, placeOf) ?? Effect.void)
