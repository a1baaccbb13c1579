import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { Effect } from "effect"
import * as fs from "node:fs"
import { type CohortDefinition, definitionFromDesignRows, type Design } from "../domain/CohortDefinition.js"
import { validateCohortId } from "../domain/CohortId.js"
import { generateMembership } from "../domain/MembershipGeneration.js"
import { emptyMembershipRows, type MembershipRows } from "../domain/MembershipRows.js"
import { pyStr } from "../domain/SpecValue.js"
import { isStage, type Stage } from "../domain/Stage.js"
import { compileDesign } from "../dsl/CompileDesign.js"
import { parseSpec } from "../dsl/ParseSpec.js"
import { MembershipInvalid } from "../errors/MembershipInvalid.js"
import { SpecNotFound } from "../errors/SpecNotFound.js"
import { dataRootPaths } from "../layers/DataRoot.js"
import { DEFAULT_MAX_ROWS } from "../layers/FileSystemSpecRepository.js"
import { makeInMemoryRegistry } from "../layers/InMemoryRegistryFactory.js"
import { CohortSpecRepository } from "../services/CohortSpecRepository.js"
import { genIdProblem, metadataText, readMetadata, replicateOfText } from "./GenerationFiles.js"
import { reuseGenerations } from "./ReuseGenerations.js"

/** Where the lifecycle commands look: the data root, and how a spec is compiled. */
export interface LifecycleOptions {
  readonly dataRoot: string
  readonly seed?: number | bigint
  readonly maxRows?: number
}

/** The members of a cohort (or of a spec not built yet) with what is known of each generation. */
export interface CohortMembers {
  readonly cohortId: string
  /** `membership`: the cohort's membership.csv; `spec`: computed from a spec (pure ids). */
  readonly source: "membership" | "spec"
  readonly path: string
  readonly rows: MembershipRows
  /** Distinct values of each design column, when a spec was compiled. */
  readonly axes?: Readonly<Record<string, ReadonlyArray<string>>>
}

/** A target names a spec file when it ends in .yaml, .yml or .json; else it is a cohort id. */
export const isSpecFile = (target: string): boolean => /\.(ya?ml|json)$/i.test(target)

/** `membership.csv` → (stage, gen_id) pairs; its header must name `stage` and `gen_id`. */
export const readMembershipIds = (file: string): { stages: Array<Stage>; ids: Array<string> } | MembershipInvalid => {
  const text = fs.readFileSync(file, "utf8")
  // Scanned line by line with indexOf: a 624k-row membership split into arrays of lines and cells cost
  // status about a second.
  let at = 0
  let n = 0
  const nextLine = (): string | undefined => {
    if (at > text.length) return undefined
    let end = text.indexOf("\n", at)
    if (end < 0) end = text.length
    const line = text.slice(at, end > at && text.charCodeAt(end - 1) === 13 ? end - 1 : end)
    at = end + 1
    n++
    return line
  }
  const first = nextLine() ?? ""
  const header = first.replace(/^\uFEFF/, "").split(",").map((c) => c.trim())
  const si = header.indexOf("stage")
  const gi = header.indexOf("gen_id")
  if (si < 0 || gi < 0) {
    return new MembershipInvalid({ path: file, line: 1, reason: "the header must name stage and gen_id", value: first })
  }
  const cellAt = (line: string, index: number): string => {
    let start = 0
    for (let c = 0; c < index; c++) {
      const comma = line.indexOf(",", start)
      if (comma < 0) return ""
      start = comma + 1
    }
    const comma = line.indexOf(",", start)
    return line.slice(start, comma < 0 ? line.length : comma).trim()
  }
  const stages: Array<Stage> = []
  const ids: Array<string> = []
  const seen: Record<Stage, Set<string>> = { draft: new Set(), essay: new Set(), evaluation: new Set() }
  for (let line = nextLine(); line !== undefined; line = nextLine()) {
    if (line === "") continue
    const stage = cellAt(line, si)
    const id = cellAt(line, gi)
    if (!isStage(stage)) return new MembershipInvalid({ path: file, line: n, reason: "unknown stage", value: stage })
    const problem = genIdProblem(id)
    if (problem !== undefined) return new MembershipInvalid({ path: file, line: n, reason: problem, value: id })
    if (seen[stage].has(id)) continue
    seen[stage].add(id)
    stages.push(stage)
    ids.push(id)
  }
  return { stages, ids }
}

/** Distinct values of each column of a design, in first-seen order. */
const axesOf = (design: Design): Record<string, Array<string>> => {
  const out: Record<string, Array<string>> = {}
  const sets = design.columns.map(() => new Set<string>())
  if (design.levels !== undefined) {
    design.levels.columnValues.forEach((values, c) => values.forEach((v) => sets[c]!.add(pyStr(v))))
  } else design.forEachRow((row) => row.forEach((v, c) => sets[c]!.add(pyStr(v))))
  design.columns.forEach((name, c) => {
    out[name] = Array.from(sets[c]!)
  })
  return out
}

/** Membership rows of a definition with pure ids (what a build on an empty store would assign). */
const rowsOf = (definition: CohortDefinition, cohortId: string) =>
  Effect.flatMap(makeInMemoryRegistry, (registry) => generateMembership(definition, cohortId, registry))

/** A spec file compiled (reused generations resolved against the data root) to its members. */
const specFileMembers = (file: string, options: LifecycleOptions) =>
  Effect.gen(function*() {
    const path = yield* Path.Path
    const paths = dataRootPaths(path, options.dataRoot)
    const absolute = path.resolve(file)
    const inCohort = /[\\/]cohorts[\\/]([^\\/]+)[\\/]spec[\\/][^\\/]+$/.exec(
      path.relative(path.dirname(paths.root), absolute)
    )
    const cohortId = inCohort?.[1] ?? path.basename(absolute).replace(/\.[^.]+$/, "")
    const spec = yield* parseSpec(absolute)
    const compiled = yield* compileDesign(spec, {
      maxRows: options.maxRows ?? DEFAULT_MAX_ROWS,
      ...(options.seed === undefined ? {} : { seed: options.seed })
    })
    const design = yield* reuseGenerations(compiled, { gensRoot: path.join(paths.root, "gens"), source: absolute })
    const definition = yield* definitionFromDesignRows(design, { source: absolute })
    const rows = yield* rowsOf(definition, cohortId)
    return {
      cohortId,
      source: "spec",
      path: absolute,
      rows,
      axes: axesOf(compiled)
    } satisfies CohortMembers as CohortMembers
  })

/**
 * The members of a target: a spec file, or a cohort id — its membership.csv when built, else its spec.
 * Members read from membership.csv take template, LLM and parent from the cohort's spec when it yields
 * the same id, else from the generation's metadata.json (empty when there is none).
 */
export const loadMembers = (target: string, options: LifecycleOptions) =>
  Effect.gen(function*() {
    if (isSpecFile(target)) return yield* specFileMembers(target, options)
    yield* validateCohortId(target)
    const path = yield* Path.Path
    const fileSystem = yield* FileSystem.FileSystem
    const paths = dataRootPaths(path, options.dataRoot)
    const membershipFile = path.join(paths.cohortDir(target), "membership.csv")
    const specExists = yield* Effect.orElseSucceed(fileSystem.exists(paths.specFile(target)), () => false)
    const repository = yield* CohortSpecRepository
    const fromSpec = specExists
      ? yield* Effect.flatMap(repository.get(target), (spec) =>
        spec.definition === undefined ? Effect.succeed(undefined) : rowsOf(spec.definition, target))
      : undefined
    const built = yield* Effect.orElseSucceed(fileSystem.exists(membershipFile), () =>
      false)
    if (!built) {
      if (fromSpec === undefined) return yield* new SpecNotFound({ cohortId: target, path: membershipFile })
      return {
        cohortId: target,
        source: "spec",
        path: paths.specFile(target),
        rows: fromSpec
      } satisfies CohortMembers as CohortMembers
    }
    const listed = yield* Effect.try({
      try: () => readMembershipIds(membershipFile),
      catch: (error) =>
        new MembershipInvalid({ path: membershipFile, reason: `cannot be read (${(error as Error).message})` })
    })
    if (listed instanceof MembershipInvalid) return yield* listed
    return {
      cohortId: target,
      source: "membership",
      path: membershipFile,
      rows: joinMembership(target, listed, fromSpec, (stage, id) => paths.metadataFile(stage, id))
    } satisfies CohortMembers as CohortMembers
  })

/** Membership ids with their fields: from the spec's rows where the id matches, else from metadata.json. */
const joinMembership = (
  cohortId: string,
  listed: { stages: ReadonlyArray<Stage>; ids: ReadonlyArray<string> },
  fromSpec: MembershipRows | undefined,
  metadataFile: (stage: Stage, id: string) => string
): MembershipRows => {
  const index = new Map<string, number>()
  if (fromSpec !== undefined) fromSpec.genId.forEach((id, i) => index.set(id, i))
  const rows = emptyMembershipRows(cohortId)
  for (let i = 0; i < listed.ids.length; i++) {
    const stage = listed.stages[i]!
    const id = listed.ids[i]!
    const j = index.get(id)
    rows.stage.push(stage)
    rows.genId.push(id)
    rows.counts[stage]++
    if (j !== undefined && fromSpec!.stage[j] === stage) {
      rows.parentGenId.push(fromSpec!.parentGenId[j]!)
      rows.comboId.push(fromSpec!.comboId[j]!)
      rows.templateId.push(fromSpec!.templateId[j]!)
      rows.llmModelId.push(fromSpec!.llmModelId[j]!)
      rows.replicate.push(fromSpec!.replicate[j]!)
      continue
    }
    const m = readMetadata(metadataFile(stage, id))
    rows.parentGenId.push(metadataText(m, "parent_gen_id"))
    rows.comboId.push(metadataText(m, "combo_id"))
    rows.templateId.push(metadataText(m, "template_id"))
    rows.llmModelId.push(metadataText(m, "llm_model_id"))
    rows.replicate.push(replicateOfText(metadataText(m, "replicate")) ?? 1)
  }
  return rows
}
