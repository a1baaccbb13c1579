import * as Path from "@effect/platform/Path"
import type { ColumnTable } from "arquero"
import { Deferred, Effect, Either, Fiber, Option, type Scope } from "effect"
import * as fs from "node:fs"
import type { Manifest } from "../domain/Manifest.js"
import { templateModes } from "../domain/Manifest.js"
import type { MembershipRows } from "../domain/MembershipRows.js"
import { type Stage, STAGES } from "../domain/Stage.js"
import type { MembershipInvalid } from "../errors/MembershipInvalid.js"
import { gensStoreOf, SYNC_CHUNK, yieldToEventLoop } from "../gens/GensStore.js"
import { dataRootPaths } from "../layers/DataRoot.js"
import { sharedCounter, stopClaims } from "../parallel/ClaimLoop.js"
import { packLines } from "../parallel/Packing.js"
import { type ShareOptions, WorkerPool } from "../parallel/WorkerPool.js"
import { CatalogBundleLoader } from "../services/CatalogBundleLoader.js"
import {
  isSpecFile,
  type LifecycleOptions,
  loadMembers,
  membershipFileOf,
  membershipHeader,
  readMembershipIds
} from "./CohortMembers.js"
import {
  dataLines,
  HAS_METADATA,
  HAS_PARSED,
  HAS_RAW,
  lineFolder,
  listStage,
  probeClaimed,
  probeFiles,
  probeLinesClaimed,
  type SharedLineProbe,
  type SharedProbe,
  UNPROBED
} from "./GenerationFiles.js"

/** One stage of a cohort's status. */
export interface StageStatus {
  readonly members: number
  readonly withMetadata: number
  readonly withRaw: number
  readonly withParsed: number
  /** Members without parsed.txt (not done). */
  readonly missing: number
  /** LLM calls the next run makes: members with neither raw.txt nor parsed.txt whose template is not `copy`. */
  readonly llmCalls: number
  readonly llmCallsByModel: Readonly<Record<string, number>>
  /** Members not done whose template is in `copy` mode (no LLM call). */
  readonly copyPending: number
  /** Members that another cohort's membership.csv lists too. */
  readonly shared: number
}

/** What `cohort status` reports. */
export interface CohortStatus {
  readonly cohortId: string
  readonly source: "membership" | "spec"
  readonly path: string
  readonly stages: Readonly<Record<Stage, StageStatus>>
  readonly llmCalls: number
  /** Other cohorts sharing generations with this one: how many each. */
  readonly sharedWith: Readonly<Record<string, number>>
  /** Ids of members without parsed.txt, per stage (only with `listMissing`). */
  readonly missingIds?: Readonly<Record<Stage, ReadonlyArray<string>>>
  readonly notes: ReadonlyArray<string>
}

/** Members probed by this thread and the pool's workers together from this many on. */
const PARALLEL_PROBE_MIN = 4_000
/** Members sampled to tell whether most of a stage's folders exist (then its folder is not listed). */
const SAMPLE = 64

/** Whether a sample of a stage's members mostly have a folder (a built cohort): a listing would cost more. */
const mostlyPresent = (gensRoot: string, stage: Stage, members: ReadonlyArray<number>, ids: ReadonlyArray<string>) => {
  const step = Math.max(1, Math.floor(members.length / SAMPLE))
  let seen = 0
  let found = 0
  for (let k = 0; k < members.length && seen < SAMPLE; k += step, seen++) {
    if (fs.existsSync(`${gensRoot}/${stage}/${ids[members[k]!]}`)) found++
  }
  return found >= seen * 0.9
}

/**
 * Generation files of every member (bits of `GenerationFiles`). A stage whose members mostly exist is
 * probed folder by folder; another is listed once and only its listed folders are probed. Probes are
 * shared with the pool's worker threads when there are many.
 */
export const probeMembers = (rows: MembershipRows, gensRoot: string) =>
  Effect.gen(function*() {
    const n = rows.genId.length
    const stages = new Uint8Array(new SharedArrayBuffer(n))
    const byStage: Record<Stage, Array<number>> = { draft: [], essay: [], evaluation: [] }
    for (let i = 0; i < n; i++) {
      const stage = rows.stage[i]!
      stages[i] = STAGES.indexOf(stage)
      byStage[stage].push(i)
    }
    const todo: Array<number> = []
    for (const stage of STAGES) {
      const members = byStage[stage]
      if (members.length === 0) continue
      if (mostlyPresent(gensRoot, stage, members, rows.genId)) {
        for (const i of members) todo.push(i)
        continue
      }
      const listing = listStage(gensRoot, stage)
      for (const i of members) if (listing.has(rows.genId[i]!)) todo.push(i)
    }
    const shared = new Int32Array(new SharedArrayBuffer(todo.length * 4))
    shared.set(todo)
    const work: SharedProbe = {
      gensRoot,
      stages,
      genIds: "",
      todo: shared,
      next: sharedCounter(),
      bits: new Uint8Array(new SharedArrayBuffer(n))
    }
    const share: ShareOptions = {
      kind: "probe",
      items: todo.length,
      parallel: todo.length >= PARALLEL_PROBE_MIN,
      job: () => ({ kind: "probe", root: gensRoot, work: { ...work, genIds: packLines(rows.genId) } }),
      step: () => probeClaimed(work, SYNC_CHUNK, rows.genId),
      stop: () => stopClaims(work.next)
    }
    const pool = yield* Effect.serviceOption(WorkerPool)
    yield* WorkerPool.shareOn(pool, share)
    return work.bits
  })

/** A probe of a built cohort's membership.csv, begun before its rows are known. */
interface EarlyProbe {
  /** The membership.csv's bytes, as read for the probe (its rows are read from them). */
  readonly bytes: Uint8Array
  /**
   * Each row's bits, this thread joining the probe now (`lines`: each row's data line, when not its
   * index); absent when the probe was not started (the rows are probed once made, as ever).
   */
  readonly finish?: (rows: MembershipRows, lines?: ReadonlyArray<number>) => Effect.Effect<Uint8Array>
}

/** Offsets into the file are 32-bit. */
const MAX_PROBED_BYTES = 2 ** 31 - 1

/**
 * Starts probing the folders a built cohort's membership.csv lists on the pool's workers alone, read
 * from its lines, while this thread makes its rows (the spec's ids, ~2 s of a 624k-row status); this
 * thread joins in at `finish`. `undefined` when there is no worker or no file (`loadMembers` reads it);
 * no `finish` when the header names no stage and gen_id, there are too few lines, or a sample of the lines
 * finds their folders mostly absent (a listing costs less). `gensRoot` is asked for once the file is read.
 */
const startEarlyProbe = <R>(
  file: string,
  gensRootOf: Effect.Effect<string, never, R>
): Effect.Effect<EarlyProbe | undefined, never, Scope.Scope | R> =>
  Effect.gen(function*() {
    const pool = yield* Effect.serviceOption(WorkerPool)
    if (Option.isNone(pool) || pool.value.workers === 0) return undefined
    let read: Buffer
    try {
      read = fs.readFileSync(file)
    } catch {
      return undefined // not built, or unreadable: as `loadMembers` finds it
    }
    if (read.length > MAX_PROBED_BYTES) return undefined
    const gensRoot = yield* gensRootOf
    const bytes = new Uint8Array(new SharedArrayBuffer(read.length))
    bytes.set(read)
    const headerEnd = read.indexOf(10)
    const header = membershipHeader(read.toString("utf8", 0, headerEnd < 0 ? read.length : headerEnd))
    if (header === undefined) return { bytes }
    const lines = dataLines(bytes)
    const n = lines.starts.length
    if (n < PARALLEL_PROBE_MIN) return { bytes }
    const work: SharedLineProbe = {
      gensRoot,
      bytes,
      ...lines,
      stageCell: header.stage,
      idCell: header.genId,
      next: sharedCounter(),
      bits: new Uint8Array(new SharedArrayBuffer(n)).fill(UNPROBED)
    }
    const step = Math.max(1, Math.floor(n / SAMPLE))
    let found = 0
    for (let k = 0; k < n; k += step) {
      const folder = lineFolder(work, k)
      if (folder !== undefined && fs.existsSync(`${gensRoot}/${folder}`)) found++
    }
    if (found < Math.ceil(n / step) * 0.9) return { bytes }
    const go = yield* Deferred.make<void>()
    let joined = false
    const probing = yield* Effect.forkScoped(pool.value.share({
      kind: "probe-lines",
      items: n,
      parallel: true,
      job: () => ({ kind: "probe-lines", root: gensRoot, work }),
      step: () => (joined ? probeLinesClaimed(work, SYNC_CHUNK) : { done: 0, more: true }),
      between: Effect.zipRight(Deferred.await(go), yieldToEventLoop),
      stop: () => stopClaims(work.next)
    }))
    return {
      bytes,
      finish: (rows, rowLines) =>
        Effect.gen(function*() {
          joined = true
          yield* Deferred.succeed(go, undefined)
          yield* Fiber.join(probing)
          const out = new Uint8Array(rows.genId.length)
          for (let r = 0; r < out.length; r++) {
            const line = rowLines === undefined ? r : rowLines[r]!
            const b = line < n ? work.bits[line]! : UNPROBED
            out[r] = b & UNPROBED ? probeFiles(`${gensRoot}/${rows.stage[r]}/${rows.genId[r]}`) : b
          }
          return out
        })
    } satisfies EarlyProbe
  })

/** Whether a member still needs an LLM call: nothing generated yet, and its template is not in `copy` mode. */
export const needsLlmCall = (bits: number, mode: string | undefined): boolean =>
  (bits & (HAS_RAW | HAS_PARSED)) === 0 && mode !== "copy"

export type TemplateModes = Readonly<Record<Stage, Readonly<Record<string, string>>>>

/** Generation mode of each template the rows use, from the catalogs (empty when they cannot be loaded). */
export const loadTemplateModes = (cohortId: string, rows: MembershipRows, notes: Array<string>) =>
  Effect.gen(function*() {
    const loader = yield* CatalogBundleLoader
    const bundle = yield* Effect.either(loader.loadForSpec({ cohortId, metadata: {} }))
    if (bundle._tag === "Left") {
      notes.push(`template catalogs not loaded (${bundle.left.message}); every template counted as llm`)
      return { draft: {}, essay: {}, evaluation: {} } as TemplateModes
    }
    const used: Record<Stage, Set<string>> = { draft: new Set(), essay: new Set(), evaluation: new Set() }
    for (let i = 0; i < rows.stage.length; i++) used[rows.stage[i]!].add(rows.templateId[i]!)
    const manifest = { templates: { draft: [...used.draft], essay: [...used.essay], evaluation: [...used.evaluation] } }
    return templateModes(bundle.right.frames as Readonly<Record<string, ColumnTable>>, manifest as unknown as Manifest)
  })

/**
 * Every other cohort's membership ids: gen id → the cohorts listing it. A membership.csv that cannot be
 * read is handed to `onInvalid` (purge refuses then: it cannot know what that cohort uses).
 */
export const otherMemberships = (
  cohortsDir: string,
  except: string,
  onInvalid: (problem: MembershipInvalid) => void = () => {}
): Effect.Effect<Map<string, Array<string>>> =>
  Effect.gen(function*() {
    const out = new Map<string, Array<string>>()
    let names: Array<string>
    try {
      names = fs.readdirSync(cohortsDir).filter((n) => !n.startsWith(".") && n !== except).sort()
    } catch {
      return out
    }
    for (const name of names) {
      const file = `${cohortsDir}/${name}/membership.csv`
      if (!fs.existsSync(file)) continue
      const listed = yield* Effect.either(readMembershipIds(file))
      if (Either.isLeft(listed)) {
        onInvalid(listed.left)
        continue
      }
      for (const id of listed.right.ids) {
        const cohorts = out.get(id)
        if (cohorts === undefined) out.set(id, [name])
        else if (cohorts[cohorts.length - 1] !== name) cohorts.push(name)
      }
    }
    return out
  })

const emptyStage = () => ({
  members: 0,
  withMetadata: 0,
  withRaw: 0,
  withParsed: 0,
  missing: 0,
  llmCalls: 0,
  llmCallsByModel: {} as Record<string, number>,
  copyPending: 0,
  shared: 0
})

/**
 * The status of a cohort (its membership.csv, or its spec when not built) or of a spec file: per stage
 * how many members have metadata, raw.txt and parsed.txt, what the next run costs in LLM calls per
 * model, and which generations other cohorts share.
 */
export const cohortStatus = (target: string, options: LifecycleOptions & { readonly listMissing?: boolean }) =>
  Effect.gen(function*() {
    const path = yield* Path.Path
    const paths = dataRootPaths(path, options.dataRoot)
    const file = isSpecFile(target) ? undefined : yield* membershipFileOf(target, options.dataRoot)
    const gensRootOf = Effect.map(gensStoreOf(paths.root), (gens) => gens.dir)
    // A built cohort's folders are probed from its membership.csv's lines while its spec's rows are made.
    const early = file === undefined ? undefined : yield* startEarlyProbe(file, gensRootOf)
    const members = yield* loadMembers(target, options, early?.bytes)
    const notes: Array<string> = []
    if (members.source === "spec") notes.push("not built: ids computed from the spec (pure ids, as on an empty store)")
    const rows = members.rows
    const modes = yield* loadTemplateModes(members.cohortId, rows, notes)
    const bits = early?.finish === undefined
      ? yield* probeMembers(rows, yield* gensRootOf)
      : yield* early.finish(rows, members.lines)
    const others = yield* otherMemberships(path.join(paths.root, "cohorts"), members.cohortId, (problem) => {
      notes.push(`not counted as sharing: ${problem.message}`)
    })
    const stages = { draft: emptyStage(), essay: emptyStage(), evaluation: emptyStage() }
    const missingIds: Record<Stage, Array<string>> = { draft: [], essay: [], evaluation: [] }
    const sharedWith: Record<string, number> = {}
    for (let i = 0; i < bits.length; i++) {
      const stage = rows.stage[i]!
      const s = stages[stage]
      const b = bits[i]!
      s.members++
      if (b & HAS_METADATA) s.withMetadata++
      if (b & HAS_RAW) s.withRaw++
      if (b & HAS_PARSED) s.withParsed++
      else {
        s.missing++
        if (options.listMissing === true) missingIds[stage].push(rows.genId[i]!)
      }
      const mode = modes[stage][rows.templateId[i]!]
      if (needsLlmCall(b, mode)) {
        s.llmCalls++
        const model = rows.llmModelId[i] || "(unknown)"
        s.llmCallsByModel[model] = (s.llmCallsByModel[model] ?? 0) + 1
      } else if ((b & HAS_PARSED) === 0 && mode === "copy") s.copyPending++
      const sharing = others.size === 0 ? undefined : others.get(rows.genId[i]!)
      if (sharing !== undefined) {
        s.shared++
        for (const c of sharing) sharedWith[c] = (sharedWith[c] ?? 0) + 1
      }
    }
    return {
      cohortId: members.cohortId,
      source: members.source,
      path: members.path,
      stages,
      llmCalls: stages.draft.llmCalls + stages.essay.llmCalls + stages.evaluation.llmCalls,
      sharedWith,
      ...(options.listMissing === true ? { missingIds } : {}),
      notes
    } satisfies CohortStatus as CohortStatus
  }).pipe(Effect.scoped)
