import * as Path from "@effect/platform/Path"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import { validateCohortId } from "../domain/CohortId.js"
import { metadataText } from "../domain/GenerationMetadata.js"
import type { Stage } from "../domain/Stage.js"
import { ArtifactWriteFailed } from "../errors/ArtifactWriteFailed.js"
import { Locked } from "../errors/Locked.js"
import type { MembershipInvalid } from "../errors/MembershipInvalid.js"
import { type CohortLock, DEAD_HOLDER_WAIT, liveHolder, lockCohort, whoHolds } from "../gens/CohortLock.js"
import { gensStoreOf, SYNC_CHUNK, yieldToEventLoop } from "../gens/GensStore.js"
import type { GensStoreService } from "../gens/GensStoreService.js"
import { dataRootPaths } from "../layers/DataRoot.js"
import { folderBytes, listStage, TRASH_PREFIX } from "./GenerationFiles.js"
import { otherMemberships } from "./Status.js"

/** Children before parents: a crash between two removals never leaves a child without its parent. */
export const PURGE_ORDER: ReadonlyArray<Stage> = ["evaluation", "essay", "draft"]

/** One generation of the cohort and what the purge does with it. */
export interface PurgeEntry {
  readonly stage: Stage
  readonly genId: string
  readonly action: "delete" | "keep"
  readonly reason: string
  readonly bytes: number
}

/** What `cohort purge` did (or, on a dry run, would do). */
export interface PurgeReport {
  readonly cohortId: string
  readonly executed: boolean
  readonly deleted: Readonly<Record<Stage, number>>
  readonly kept: Readonly<Record<Stage, number>>
  readonly bytesFreed: number
  /** Every generation whose origin_cohort_id is the cohort, in purge order. */
  readonly entries: ReadonlyArray<PurgeEntry>
  /** Trash folders of an interrupted purge found (and, when executing, removed). */
  readonly trashSwept: number
  readonly cohortFolderRemoved: boolean
}

/** Options of `purgeCohort`: the data root, whether to delete (default: a dry run), and the cohort folder too. */
export interface PurgeOptions {
  readonly dataRoot: string
  /** Delete; without it the purge is a dry run. */
  readonly execute?: boolean
  /** Also remove `cohorts/<id>/` (spec included) once its generations are gone. */
  readonly cohortFolder?: boolean
}

interface Generation {
  readonly stage: Stage
  readonly genId: string
  readonly origin: string
  readonly parent: string
}

/** Every generation of the store with a readable metadata.json (origin and parent). */
const scanStore = (gens: GensStoreService): Array<Generation> => {
  const out: Array<Generation> = []
  for (const stage of PURGE_ORDER) {
    for (const genId of Array.from(listStage(gens.dir, stage)).sort()) {
      const m = gens.metadataOf(stage, genId)
      if (m === undefined) continue
      out.push({ stage, genId, origin: metadataText(m, "origin_cohort_id"), parent: metadataText(m, "parent_gen_id") })
    }
  }
  return out
}

/** Which of the cohort's generations go, and why each stays or goes (children decided before parents). */
export const planPurge = (
  cohortId: string,
  store: ReadonlyArray<Generation>,
  references: ReadonlyMap<string, ReadonlyArray<string>>
): Array<Omit<PurgeEntry, "bytes">> => {
  const children = new Map<string, Array<Generation>>()
  for (const g of store) {
    if (g.parent === "") continue
    const list = children.get(g.parent)
    if (list === undefined) children.set(g.parent, [g])
    else list.push(g)
  }
  const going = new Set<string>()
  const out: Array<Omit<PurgeEntry, "bytes">> = []
  for (const stage of PURGE_ORDER) {
    for (const g of store) {
      if (g.stage !== stage || g.origin !== cohortId) continue
      const listedBy = references.get(g.genId)
      const staying = (children.get(g.genId) ?? []).find((c) => !going.has(`${c.stage}/${c.genId}`))
      const keep = (reason: string) => out.push({ stage, genId: g.genId, action: "keep", reason })
      if (listedBy !== undefined) {
        keep(`listed in the membership.csv of ${listedBy.map((c) => JSON.stringify(c)).join(", ")}`)
      } else if (staying !== undefined) keep(`its child ${staying.stage} ${staying.genId} stays`)
      else {
        going.add(`${stage}/${g.genId}`)
        out.push({
          stage,
          genId: g.genId,
          action: "delete",
          reason: "made by this cohort, listed by no other cohort, no child stays"
        })
      }
    }
  }
  return out
}

/**
 * Refuses while a live build holds any cohort's lock (it may be about to list these generations). Live
 * by the rule builds take locks over by: a lock whose heartbeat stopped is no one's.
 */
const refuseWhileLocked = (cohortsDir: string, own: string) =>
  Effect.gen(function*() {
    let names: Array<string> = []
    try {
      names = fs.readdirSync(cohortsDir).filter((n) => !n.startsWith("."))
    } catch {
      return
    }
    for (const name of names) {
      if (name === own) continue
      const file = `${cohortsDir}/${name}/.lock`
      const holder = liveHolder(file)
      if (holder !== undefined && !(holder.pid === process.pid && holder.host === os.hostname())) {
        return yield* new Locked({ path: file, waitedSeconds: 0, ...whoHolds(holder) })
      }
    }
  })

/**
 * The dot-named trash an interrupted purge left: folders in gens/ and cohorts/ (and, of older purges, in
 * gens/<stage>/).
 */
const trashFolders = (dirs: ReadonlyArray<string>): Array<string> =>
  dirs.flatMap((dir) => {
    try {
      return fs.readdirSync(dir).filter((n) => n.startsWith(TRASH_PREFIX)).map((n) => `${dir}/${n}`)
    } catch {
      return []
    }
  })

/**
 * Renames a folder into a trash folder (atomic: whole or gone), then removes it. The trash folder sits in
 * gens/ or cohorts/, where a build finds it with one small listing; a build that swept it meanwhile
 * (its purge was live) only makes it be made again.
 */
const removeFolder = (dir: string, trashRoot: string, name: string) =>
  Effect.try({
    try: () => {
      const trash = `${trashRoot}/${name}`
      for (let attempt = 0;; attempt++) {
        fs.mkdirSync(trashRoot, { recursive: true })
        try {
          fs.renameSync(dir, trash)
          break
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "ENOENT" || attempt >= 3 || !fs.existsSync(dir)) throw error
        }
      }
      fs.rmSync(trash, { recursive: true, force: true })
    },
    catch: (error) => new ArtifactWriteFailed({ path: dir, cause: (error as Error).message })
  })

/**
 * Purges a cohort's generations safely: only those whose origin_cohort_id is the cohort, that no other
 * cohort's membership.csv lists and whose children all go too, removed evaluation → essay → draft under
 * the cohort's lock. A dry run (the default) only reports.
 */
export const purgeCohort = (cohortId: string, options: PurgeOptions) =>
  Effect.gen(function*() {
    yield* validateCohortId(cohortId)
    const path = yield* Path.Path
    const paths = dataRootPaths(path, options.dataRoot)
    const gens = yield* gensStoreOf(paths.root)
    const gensRoot = gens.dir
    const cohortsDir = path.join(paths.root, "cohorts")
    const cohortDir = paths.cohortDir(cohortId)
    const execute = options.execute === true
    let lock: CohortLock | undefined
    if (execute) {
      // Its own cohort's lock is waited for a little: a killed build's or purge's is taken over once its
      // heartbeat has visibly stopped (two beats). Other cohorts' live builds make it refuse at once.
      if (fs.existsSync(cohortDir)) lock = yield* lockCohort(cohortDir, DEAD_HOLDER_WAIT)
      yield* refuseWhileLocked(cohortsDir, cohortId)
    }
    const trash = trashFolders([gensRoot, cohortsDir, ...PURGE_ORDER.map((s) => path.join(gensRoot, s))])
    const gensTrash = path.join(gensRoot, `${TRASH_PREFIX}${process.pid}`)
    const cohortsTrash = path.join(cohortsDir, `${TRASH_PREFIX}${process.pid}`)
    if (execute) {
      for (const t of trash) {
        yield* Effect.try({
          try: () => fs.rmSync(t, { recursive: true, force: true }),
          catch: (error) => new ArtifactWriteFailed({ path: t, cause: (error as Error).message })
        })
      }
    }
    const invalid: Array<MembershipInvalid> = []
    const references = yield* otherMemberships(cohortsDir, cohortId, (problem) => invalid.push(problem))
    // What an unreadable membership lists is unknown: deleting anything could break that cohort.
    if (invalid.length > 0) return yield* invalid[0]!
    const plan = planPurge(cohortId, scanStore(gens), references)
    // A purge whose lock was taken over while it scanned (its heartbeat stopped) removes nothing.
    if (lock !== undefined) yield* lock.stillHeld
    const deleted = { draft: 0, essay: 0, evaluation: 0 }
    const kept = { draft: 0, essay: 0, evaluation: 0 }
    const entries: Array<PurgeEntry> = []
    let bytesFreed = 0
    for (let i = 0; i < plan.length; i++) {
      const e = plan[i]!
      const dir = path.join(gensRoot, e.stage, e.genId)
      const bytes = e.action === "delete" ? folderBytes(dir) : 0
      if (e.action === "delete") {
        if (execute) yield* removeFolder(dir, gensTrash, `${e.stage}.${e.genId}`)
        deleted[e.stage]++
        bytesFreed += bytes
      } else kept[e.stage]++
      entries.push({ ...e, bytes })
      if (i % SYNC_CHUNK === SYNC_CHUNK - 1) yield* yieldToEventLoop
    }
    // What the store learned (listings, metadata present) no longer holds for a later build of its layer.
    if (execute) gens.reset()
    let cohortFolderRemoved = false
    if (options.cohortFolder === true && fs.existsSync(cohortDir)) {
      if (execute) yield* removeFolder(cohortDir, cohortsTrash, cohortId)
      cohortFolderRemoved = true
    }
    for (const t of execute ? [gensTrash, cohortsTrash] : []) {
      yield* Effect.try({
        try: () => fs.rmSync(t, { recursive: true, force: true }),
        catch: (error) => new ArtifactWriteFailed({ path: t, cause: (error as Error).message })
      })
    }
    return {
      cohortId,
      executed: execute,
      deleted,
      kept,
      bytesFreed,
      entries,
      trashSwept: trash.length,
      cohortFolderRemoved
    } satisfies PurgeReport as PurgeReport
  }).pipe(Effect.scoped)
