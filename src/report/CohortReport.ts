import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { Clock, Effect, Either, Layer, Option } from "effect"
import type { CatalogBundle } from "../domain/CatalogBundle.js"
import type { ColumnTable } from "../domain/Frame.js"
import { emptyMembershipRows, type MembershipRows } from "../domain/MembershipRows.js"
import type { Stage } from "../domain/Stage.js"
import type { ParsedSpec } from "../dsl/ParsedSpec.js"
import { parseSpec } from "../dsl/ParseSpec.js"
import { cohortSpecOf } from "../dsl/SpecObject.js"
import { gensStoreOf } from "../gens/GensStore.js"
import type { GensStoreService } from "../gens/GensStoreService.js"
import { dataRootPaths } from "../layers/DataRoot.js"
import { InMemoryRegistryFactory } from "../layers/InMemoryRegistryFactory.js"
import { isSpecFile, type LifecycleOptions, loadMembers } from "../lifecycle/CohortMembers.js"
import { probeFiles } from "../lifecycle/GenerationFiles.js"
import { cohortStatus } from "../lifecycle/Status.js"
import { planCohort } from "../program.js"
import { CatalogBundleLoader } from "../services/CatalogBundleLoader.js"
import { CohortSpecRepository } from "../services/CohortSpecRepository.js"
import { balanceChart, type Chart, couplingChart, funnelChart } from "./ChartSpecs.js"
import { type RenderedCharts, reportPage } from "./Page.js"
import { renderCharts } from "./RenderLoader.js"
import type { CatalogFile, ReportModel } from "./ReportModel.js"
import { reportModel } from "./ReportModel.js"

/** A report: its data and its page. */
export interface CohortReport {
  readonly model: ReportModel
  readonly html: string
}

const record = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {}

/** The catalog files a loader read, from its metadata (`catalog_files`, `catalog_rows`, `catalog_sha256`). */
const catalogFiles = (bundle: CatalogBundle): Array<CatalogFile> => {
  const files = record(bundle.metadata["catalog_files"])
  const rows = record(bundle.metadata["catalog_rows"])
  const sha = record(bundle.metadata["catalog_sha256"])
  return Object.keys(files).sort().map((slice) => ({
    slice,
    file: String(files[slice]),
    rows: typeof rows[slice] === "number" ? (rows[slice] as number) : undefined,
    sha256: typeof sha[slice] === "string" ? (sha[slice] as string) : undefined
  }))
}

/**
 * A build's membership, warnings and metadata: `planCohort` with pure ids, over the cohort's spec or the
 * given spec file (nothing persisted).
 */
const validation = (
  cohortId: string,
  spec: ParsedSpec,
  fromFile: boolean,
  options: LifecycleOptions,
  gens: GensStoreService
) => {
  const run = planCohort(cohortId, { previewRows: 0 }).pipe(Effect.provide(InMemoryRegistryFactory.layer))
  const specRepository = Layer.succeed(CohortSpecRepository, {
    get: (id: string) => cohortSpecOf(id, spec, { gens, ...options })
  })
  return Effect.either(fromFile ? Effect.provide(run, specRepository) : run)
}

/** A membership table (MEMBERSHIP_COLUMNS) as columnar rows. */
const rowsOfTable = (cohortId: string, table: ColumnTable): MembershipRows => {
  const column = <A>(name: string): Array<A> => Array.from(table.array(name) as ArrayLike<A>)
  const stage = column<Stage>("stage")
  const counts = { draft: 0, essay: 0, evaluation: 0 }
  for (const s of stage) counts[s]++
  return {
    ...emptyMembershipRows(cohortId),
    stage,
    genId: column("gen_id"),
    parentGenId: column("parent_gen_id"),
    comboId: column("combo_id"),
    templateId: column("template_id"),
    llmModelId: column("llm_model_id"),
    replicate: column("replicate"),
    counts
  }
}

/**
 * The report of a cohort (its membership.csv, or its spec when not built) or of a spec file: the status
 * of `cohortStatus`, the members of `loadMembers`, the spec, the catalogs and a build's validation.
 */
export const cohortReport = (target: string, options: LifecycleOptions) =>
  Effect.gen(function*() {
    const path = yield* Path.Path
    const fs = yield* FileSystem.FileSystem
    const paths = dataRootPaths(path, options.dataRoot)
    const gens = yield* gensStoreOf(paths.root)
    const status = yield* cohortStatus(target, options)
    const notes: Array<string> = []
    const fromFile = isSpecFile(target)
    const specPath = fromFile ? path.resolve(target) : paths.specFile(target)
    const hasSpec = yield* Effect.orElseSucceed(fs.exists(specPath), () => false)
    const specText = hasSpec ? yield* Effect.option(fs.readFileString(specPath)) : Option.none()
    const spec = hasSpec ? yield* Effect.either(parseSpec(specPath)) : undefined
    if (!hasSpec) notes.push("no spec: the balance of pairs, ties and tuples and the validation are not shown")
    else if (spec !== undefined && Either.isLeft(spec)) notes.push(`spec not read: ${spec.left.message}`)
    const parsed = spec !== undefined && Either.isRight(spec) ? spec.right : undefined

    const loader = yield* CatalogBundleLoader
    const bundle = yield* Effect.either(loader.loadForSpec({ cohortId: status.cohortId, metadata: {} }))
    if (Either.isLeft(bundle)) notes.push(`catalogs not read: ${bundle.left.message}`)
    const checked = parsed === undefined
      ? undefined
      : yield* validation(status.cohortId, parsed, fromFile, options, gens)
    // Not built: the plan's membership is the one `loadMembers` would compute (pure ids); no second pass.
    const members = status.source === "spec" && checked !== undefined && Either.isRight(checked)
      ? { source: "spec" as const, path: status.path, rows: rowsOfTable(status.cohortId, checked.right.membership) }
      : yield* loadMembers(target, options)
    const warnings = checked !== undefined && Either.isRight(checked)
      ? (checked.right.metadata.validation_warnings ?? [])
      : []
    const validationError = checked !== undefined && Either.isLeft(checked) ? checked.left.message : undefined

    const builtAt = members.source === "membership"
      ? Option.flatMap(yield* Effect.option(fs.stat(members.path)), (info) => info.mtime)
      : Option.none()
    const now = yield* Clock.currentTimeMillis
    const model = reportModel({
      status,
      rows: members.rows,
      rules: parsed?.rules ?? [],
      frames: Either.isRight(bundle) ? bundle.right.frames : undefined,
      warnings,
      validationError,
      notes,
      audit: {
        specPath: hasSpec ? specPath : undefined,
        specText: Option.getOrUndefined(specText),
        specSha256: parsed?.sha256,
        includes: parsed?.includes ?? [],
        catalogs: Either.isRight(bundle) ? catalogFiles(bundle.right) : [],
        reportTimestamp: new Date(now).toISOString(),
        builtAt: Option.getOrUndefined(Option.map(builtAt, (d) => d.toISOString()))
      },
      probe: members.source === "membership" ? (stage, id) => probeFiles(path.join(gens.dir, stage, id)) : undefined
    })
    const charts = yield* renderedCharts(model)
    return { model, html: reportPage(model, charts) } satisfies CohortReport as CohortReport
  })

/** The charts of a model, rendered to SVG. */
export const renderedCharts = (model: ReportModel) =>
  Effect.gen(function*() {
    const balance = model.balances
      .filter((b) => b.levels.length > 1)
      .map((b) => ({ stage: b.stage, chart: balanceChart(b, `balance-${b.stage}-${b.axis}`) }))
    const coupled = model.couplings.map((c, i) => couplingChart(c, `coupling-${i + 1}`))
    const all: Array<Chart> = [funnelChart(model.funnel), ...balance.map((b) => b.chart), ...coupled]
    const svgs = yield* renderCharts(all.map((c) => c.spec))
    return {
      funnel: { chart: all[0]!, svg: svgs[0]! },
      balance: balance.map((b, i) => ({ stage: b.stage, chart: b.chart, svg: svgs[1 + i]! })),
      couplings: coupled.map((chart, i) => ({ chart, svg: svgs[1 + balance.length + i]! }))
    } satisfies RenderedCharts as RenderedCharts
  })
