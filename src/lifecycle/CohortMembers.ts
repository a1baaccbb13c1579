import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { Effect, Either } from "effect"
import { isAscii } from "node:buffer"
import * as fs from "node:fs"
import type { CohortDefinition, Design } from "../domain/CohortDefinition.js"
import { validateCohortId } from "../domain/CohortId.js"
import { metadataReplicate, metadataText } from "../domain/GenerationMetadata.js"
import { genIdProblem } from "../domain/GenId.js"
import { generateMembership } from "../domain/MembershipGeneration.js"
import { emptyMembershipRows, type MembershipRows } from "../domain/MembershipRows.js"
import { pyStr } from "../domain/SpecValue.js"
import { isStage, type Stage } from "../domain/Stage.js"
import { parseSpec } from "../dsl/ParseSpec.js"
import { compileCohortSpec } from "../dsl/SpecObject.js"
import { MembershipInvalid } from "../errors/MembershipInvalid.js"
import { SpecNotFound } from "../errors/SpecNotFound.js"
import { gensStoreOf } from "../gens/GensStore.js"
import type { GensStoreService } from "../gens/GensStoreService.js"
import { dataRootPaths } from "../layers/DataRoot.js"
import { DEFAULT_MAX_ROWS } from "../layers/FileSystemSpecRepository.js"
import { makeInMemoryRegistry } from "../layers/InMemoryRegistryFactory.js"
import { CohortSpecRepository } from "../services/CohortSpecRepository.js"

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
  /**
   * Read from membership.csv: each row's data line (its non-empty lines after the header, from 0) when
   * some row is not on the line of its index (a duplicate line was dropped before it); absent when every
   * row is.
   */
  readonly lines?: ReadonlyArray<number>
}

/** A target names a spec file when it ends in .yaml, .yml or .json; else it is a cohort id. */
export const isSpecFile = (target: string): boolean => /\.(ya?ml|json)$/i.test(target)

/** The (stage, gen_id) rows of a `membership.csv`, de-duplicated on (stage, gen_id) keeping the first. */
export interface MembershipIds {
  readonly stages: ReadonlyArray<Stage>
  readonly ids: ReadonlyArray<string>
  /** Every row is the expected row at its position, and no row is missing: `stages`/`ids` are its arrays. */
  readonly asExpected: boolean
  /** Each row's data line (non-empty lines after the header, from 0), when one is not its index. */
  readonly lines?: ReadonlyArray<number>
}

/**
 * A membership file's bytes as text, as `readFileSync(file, "utf8")` reads them (a malformed byte
 * replaced); all ASCII, as it nearly always is, copied as it is: a large plan's 54 MB in ~35 ms, not ~150.
 */
const membershipText = (bytes: Buffer): string => bytes.toString(isAscii(bytes) ? "latin1" : "utf8")

const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)

/**
 * `membership.csv` → (stage, gen_id) pairs; its header must name `stage` and `gen_id`. Given the rows a
 * membership is expected to hold (the cohort's spec), a `stage,gen_id` line equal to the expected row
 * at its position is compared in place: no text is cut out and no id checked or indexed for it (a
 * 624k-row membership cut into cells, checked and indexed cost status ~3 s of its ~11).
 */
export const readMembershipIds = (
  file: string,
  expected?: Pick<MembershipRows, "stage" | "genId">,
  bytes?: Uint8Array
): Effect.Effect<MembershipIds, MembershipInvalid> =>
  Effect.flatMap(
    Effect.try({
      try: () => membershipText(bytes === undefined ? fs.readFileSync(file) : asBuffer(bytes)),
      catch: (error) => new MembershipInvalid({ path: file, reason: `cannot be read (${(error as Error).message})` })
    }),
    (text) => scanMembership(file, text, expected ?? { stage: [], genId: [] })
  )

/** The end of the line starting at `at` (its `\n`, or the text's end), and where its content stops (before a `\r`). */
const lineAt = (text: string, at: number): { readonly end: number; readonly stop: number } => {
  let end = text.indexOf("\n", at)
  if (end < 0) end = text.length
  return { end, stop: end > at && text.charCodeAt(end - 1) === 13 ? end - 1 : end }
}

/** The `index`-th comma-separated cell of a line, trimmed ("" when the line has fewer). */
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

/** The columns of a membership.csv's header line (a BOM and a `\r` allowed), `undefined` unless it names both. */
export const membershipHeader = (
  line: string
): { readonly stage: number; readonly genId: number; readonly columns: number } | undefined => {
  const cells = line.replace(/\r$/, "").replace(/^\uFEFF/, "").split(",").map((c) => c.trim())
  const stage = cells.indexOf("stage")
  const genId = cells.indexOf("gen_id")
  return stage < 0 || genId < 0 ? undefined : { stage, genId, columns: cells.length }
}

const scanMembership = (
  file: string,
  text: string,
  expected: Pick<MembershipRows, "stage" | "genId">
): Either.Either<MembershipIds, MembershipInvalid> => {
  const head = lineAt(text, 0)
  const first = text.slice(0, head.stop)
  const header = membershipHeader(first)
  if (header === undefined) {
    return Either.left(
      new MembershipInvalid({ path: file, line: 1, reason: "the header must name stage and gen_id", value: first })
    )
  }
  const { columns, genId: gi, stage: si } = header
  // Lines are compared in place with the expected rows while each one matches (`matched` of them); from
  // the first line that does not, rows are collected, checked and de-duplicated one by one.
  const plain = si === 0 && gi === 1 && columns === 2
  const wanted = expected.genId.length
  let matched = 0
  let collected:
    | { stages: Array<Stage>; ids: Array<string>; lines: Array<number>; seen: Record<Stage, Set<string>> }
    | undefined
  const collect = () => {
    const stages = expected.stage.slice(0, matched)
    const ids = expected.genId.slice(0, matched)
    // The matched rows are the first data lines, one each.
    const lines = Array.from({ length: matched }, (_, k) => k)
    const seen: Record<Stage, Set<string>> = { draft: new Set(), essay: new Set(), evaluation: new Set() }
    for (let k = 0; k < matched; k++) seen[stages[k]!].add(ids[k]!)
    return { stages, ids, lines, seen }
  }
  let n = 1
  let dataLine = -1
  for (let at = head.end + 1; at <= text.length;) {
    const { end, stop } = lineAt(text, at)
    n++
    const from = at
    at = end + 1
    if (stop === from) continue
    dataLine++
    if (collected === undefined && plain && matched < wanted) {
      const stage = expected.stage[matched]!
      const id = expected.genId[matched]!
      const comma = from + stage.length
      if (
        stop - from === stage.length + 1 + id.length && text.startsWith(stage, from) &&
        text.charCodeAt(comma) === 44 && text.startsWith(id, comma + 1)
      ) {
        matched++
        continue
      }
    }
    collected ??= collect()
    const line = text.slice(from, stop)
    const stage = cellAt(line, si)
    const id = cellAt(line, gi)
    if (!isStage(stage)) {
      return Either.left(new MembershipInvalid({ path: file, line: n, reason: "unknown stage", value: stage }))
    }
    const problem = genIdProblem(id)
    if (problem !== undefined) {
      return Either.left(new MembershipInvalid({ path: file, line: n, reason: problem, value: id }))
    }
    if (collected.seen[stage].has(id)) continue
    collected.seen[stage].add(id)
    collected.stages.push(stage)
    collected.ids.push(id)
    collected.lines.push(dataLine)
  }
  if (collected === undefined && matched === wanted) {
    return Either.right({ stages: expected.stage, ids: expected.genId, asExpected: true })
  }
  const { ids, lines, stages } = collected ?? collect()
  const shifted = lines.some((line, k) => line !== k)
  return Either.right({ stages, ids, asExpected: false, ...(shifted ? { lines } : {}) })
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

/** A spec file compiled (reused generations resolved against the data root) to its members, as a build compiles it. */
const specFileMembers = (file: string, options: LifecycleOptions) =>
  Effect.gen(function*() {
    const path = yield* Path.Path
    const paths = dataRootPaths(path, options.dataRoot)
    const absolute = path.resolve(file)
    const inCohort = /[\\/]cohorts[\\/]([^\\/]+)[\\/]spec[\\/][^\\/]+$/.exec(
      path.relative(path.dirname(paths.root), absolute)
    )
    const cohortId = inCohort?.[1] ?? path.basename(absolute).replace(/\.[^.]+$/, "")
    const parsed = yield* parseSpec(absolute)
    const { design, spec } = yield* compileCohortSpec(cohortId, parsed, {
      gens: yield* gensStoreOf(paths.root),
      maxRows: options.maxRows ?? DEFAULT_MAX_ROWS,
      ...(options.seed === undefined ? {} : { seed: options.seed })
    })
    const rows = yield* rowsOf(spec.definition!, cohortId)
    return {
      cohortId,
      source: "spec",
      path: absolute,
      rows,
      axes: axesOf(design)
    } satisfies CohortMembers as CohortMembers
  })

/** Where a cohort's membership.csv is (its id checked first: it names a folder). */
export const membershipFileOf = (cohortId: string, dataRoot: string) =>
  Effect.gen(function*() {
    yield* validateCohortId(cohortId)
    const path = yield* Path.Path
    return path.join(dataRootPaths(path, dataRoot).cohortDir(cohortId), "membership.csv")
  })

/**
 * The members of a target: a spec file, or a cohort id — its membership.csv when built, else its spec.
 * Members read from membership.csv take template, LLM and parent from the cohort's spec when it yields
 * the same id, else from the generation's metadata.json (empty when there is none). `membership`: the
 * target's membership.csv as its caller read it already (then it is not read again).
 */
export const loadMembers = (target: string, options: LifecycleOptions, membership?: Uint8Array) =>
  Effect.gen(function*() {
    if (isSpecFile(target)) return yield* specFileMembers(target, options)
    const membershipFile = yield* membershipFileOf(target, options.dataRoot)
    const path = yield* Path.Path
    const fileSystem = yield* FileSystem.FileSystem
    const paths = dataRootPaths(path, options.dataRoot)
    const specExists = yield* Effect.orElseSucceed(fileSystem.exists(paths.specFile(target)), () => false)
    const repository = yield* CohortSpecRepository
    const fromSpec = specExists
      ? yield* Effect.flatMap(
        repository.get(target),
        (spec) => spec.definition === undefined ? Effect.succeed(undefined) : rowsOf(spec.definition, target)
      )
      : undefined
    const built = membership !== undefined ||
      (yield* Effect.orElseSucceed(fileSystem.exists(membershipFile), () => false))
    if (!built) {
      if (fromSpec === undefined) return yield* new SpecNotFound({ cohortId: target, path: membershipFile })
      return {
        cohortId: target,
        source: "spec",
        path: paths.specFile(target),
        rows: fromSpec
      } satisfies CohortMembers as CohortMembers
    }
    const listed = yield* readMembershipIds(membershipFile, fromSpec, membership)
    return {
      cohortId: target,
      source: "membership",
      path: membershipFile,
      rows: listed.asExpected && fromSpec !== undefined
        ? { ...fromSpec, collapses: [], collapseCount: 0 }
        : joinMembership(target, listed, fromSpec, yield* gensStoreOf(paths.root)),
      ...(listed.lines === undefined ? {} : { lines: listed.lines })
    } satisfies CohortMembers as CohortMembers
  })

/** Membership ids with their fields: from the spec's rows where the id matches, else from metadata.json. */
const joinMembership = (
  cohortId: string,
  listed: MembershipIds,
  fromSpec: MembershipRows | undefined,
  gens: GensStoreService
): MembershipRows => {
  let index: Map<string, number> | undefined
  /** The spec row holding `id`: the one at the same position when it does (a build of that spec), else looked up. */
  const specRow = (id: string, i: number): number | undefined => {
    if (fromSpec === undefined) return undefined
    if (fromSpec.genId[i] === id) return i
    if (index === undefined) {
      index = new Map()
      for (let k = 0; k < fromSpec.genId.length; k++) index.set(fromSpec.genId[k]!, k)
    }
    return index.get(id)
  }
  const rows = emptyMembershipRows(cohortId)
  for (let i = 0; i < listed.ids.length; i++) {
    const stage = listed.stages[i]!
    const id = listed.ids[i]!
    const j = specRow(id, i)
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
    const m = gens.metadataOf(stage, id)
    rows.parentGenId.push(metadataText(m, "parent_gen_id"))
    rows.comboId.push(metadataText(m, "combo_id"))
    rows.templateId.push(metadataText(m, "template_id"))
    rows.llmModelId.push(metadataText(m, "llm_model_id"))
    rows.replicate.push(metadataReplicate(m) ?? 1)
  }
  return rows
}
