import * as fs from "node:fs"
import { type Stage, STAGES } from "../domain/Stage.js"

/** Stage folders up to this size (~25k generations on ext4) are listed ahead, in the background. */
const LIST_AHEAD_MAX_BYTES = 1 << 20
/** Ids sampled to tell whether a build's generations mostly exist already. */
const DIRECT_SAMPLE = 64

/** A listing read ahead (in the background), used once, by the next build. */
interface Prefetched {
  done: boolean
  names: Array<string>
  ready: Promise<void>
  claimed: boolean
}

/**
 * The listing cache of `gens/<stage>/` folders: one directory listing per stage and build, read ahead in
 * the background where the folder is modest, or skipped when a build's ids mostly exist (a rerun opens
 * their metadata directly).
 */
export class StageListings {
  private readonly listings = new Map<Stage, Set<string>>()
  private readonly prefetched = new Map<Stage, Prefetched>()
  /** Stages whose metadata is read without a listing: most of the ids asked for have some. */
  private readonly direct = new Set<Stage>()
  /** Directory listings read (ahead or on demand), for the store's `stats`. */
  reads = 0

  constructor(
    private readonly stageDir: (stage: Stage) => string,
    private readonly metadataFile: (stage: Stage, id: string) => string
  ) {}

  /** Forget what was learned: the store may have changed since (call at the start of each build). */
  reset(): void {
    this.listings.clear()
    this.direct.clear()
    // A listing read ahead serves the first build after it was started, never a later one (the store
    // may have changed since).
    for (const [stage, entry] of this.prefetched) {
      if (entry.claimed) this.prefetched.delete(stage)
      else entry.claimed = true
    }
  }

  /** Starts listing a stage's folder in the background (libuv's thread pool). */
  private listAhead(stage: Stage, claimed: boolean): Promise<void> {
    const entry: Prefetched = { done: false, names: [], ready: Promise.resolve(), claimed }
    this.reads++
    entry.ready = new Promise<void>((resolve) =>
      fs.readdir(this.stageDir(stage), (error, names) => {
        entry.names = error === null ? names : []
        entry.done = true
        resolve()
      })
    )
    this.prefetched.set(stage, entry)
    return entry.ready
  }

  /**
   * Starts listing the stage folders of modest size in the background, so that it overlaps the reading
   * of spec and catalogs. A large folder (600k entries: ~1 s of a core) is listed only when a build turns
   * out to need it (`readsDirectly`).
   */
  prefetch(): void {
    for (const stage of STAGES) {
      let size: number
      try {
        size = fs.statSync(this.stageDir(stage)).size
      } catch {
        size = 0
      }
      if (size <= LIST_AHEAD_MAX_BYTES) void this.listAhead(stage, false)
    }
  }

  /**
   * Whether the metadata of `ids` is read directly, without listing the stage's folder: when no
   * listing is at hand and a sample of the ids mostly has metadata (a rerun). Otherwise most files would
   * not be found, and failed opens cost several times a listing's entry (~8 µs against ~1.2 µs).
   */
  readsDirectly(stage: Stage, ids: ReadonlyArray<string>): boolean {
    if (this.direct.has(stage)) return true
    if (this.listings.has(stage) || this.prefetched.get(stage)?.done === true || ids.length === 0) return false
    const step = Math.max(1, Math.floor(ids.length / DIRECT_SAMPLE))
    let seen = 0
    let found = 0
    for (let i = 0; i < ids.length && seen < DIRECT_SAMPLE; i += step, seen++) {
      if (fs.existsSync(this.metadataFile(stage, ids[i]!))) found++
    }
    if (found < seen * 0.9) return false
    this.direct.add(stage)
    this.prefetched.delete(stage)
    return true
  }

  /** A listing being read ahead for `stage`, started if need be, to wait for before `listing`. */
  pending(stage: Stage): Promise<void> | undefined {
    if (this.listings.has(stage)) return undefined
    const entry = this.prefetched.get(stage)
    if (entry === undefined) return this.listAhead(stage, true)
    return entry.done ? undefined : entry.ready
  }

  /** The generation folders of a stage (one directory listing per build). */
  listing(stage: Stage): Set<string> {
    let set = this.listings.get(stage)
    if (set === undefined) {
      const ahead = this.prefetched.get(stage)
      let names: Array<string> = []
      if (ahead !== undefined && ahead.done) {
        names = ahead.names
        this.prefetched.delete(stage)
      } else {
        this.reads++
        try {
          names = fs.readdirSync(this.stageDir(stage))
        } catch {
          names = []
        }
      }
      set = new Set(names)
      this.listings.set(stage, set)
    }
    return set
  }

  /** The stages whose metadata is read directly (`readsDirectly` said so), in stage order. */
  readDirectly(): Array<Stage> {
    return STAGES.filter((stage) => this.direct.has(stage))
  }

  /** Whether `id` may have a folder: listed, or its stage is read directly. */
  mayExist(stage: Stage, id: string): boolean {
    return this.direct.has(stage) || this.listing(stage).has(id)
  }
}
