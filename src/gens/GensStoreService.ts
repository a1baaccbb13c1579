import * as nodePath from "node:path"
import { metadataObject } from "../domain/GenerationMetadata.js"
import type { Stage } from "../domain/Stage.js"
import { isRegularFile, MetadataReader, Unreadable } from "./MetadataReader.js"
import { UNREADABLE, type Verdict, verdictOf } from "./MetadataVerdict.js"
import { MetadataWriter } from "./MetadataWriter.js"
import { StageListings } from "./StageListings.js"

// Effect-free: a worker thread makes one of its own for the same root (parallel/PoolWorker.ts).

/** What a store has done so far: directory listings read, generations known to have metadata. */
export interface GensStoreStats {
  readonly listingsRead: number
  readonly knownPresent: number
  /** Stages whose metadata was read directly, without a listing (a rerun: most of it exists). */
  readonly readDirectly: ReadonlyArray<Stage>
}

/**
 * The `gens/` folder of one data root, as the `GensStore` service provides it: the listing cache,
 * metadata reads and verdicts, metadata writes. Read and written with synchronous calls in plain loops
 * (see `MetadataReader`); callers run them in chunks inside Effects so that work stays interruptible.
 * All it learns (listings, which ids have metadata) is state of this instance, forgotten by `reset`.
 */
export class GensStoreService {
  private readonly stageDirs: Record<Stage, string>
  private readonly listings: StageListings
  /** Ids whose metadata file is known to exist (read, found or written during this build), per stage. */
  private readonly present = new Map<Stage, Set<string>>()
  private readonly reader = new MetadataReader()
  private readonly writer = new MetadataWriter()

  /** The `gens/` folder itself. */
  readonly dir: string

  /** `root`: the data root (absolute); the store is its `gens/` folder. */
  constructor(readonly root: string) {
    this.dir = nodePath.join(root, "gens")
    const dir = (stage: Stage) => nodePath.join(this.dir, stage)
    this.stageDirs = { draft: dir("draft"), essay: dir("essay"), evaluation: dir("evaluation") }
    this.listings = new StageListings((stage) => this.stageDirs[stage], (stage, id) => this.metadataFile(stage, id))
  }

  stageDir(stage: Stage): string {
    return this.stageDirs[stage]
  }
  /** `gens/<stage>/<id>/metadata.json` (ids are folder names: no separators, checked by the store). */
  metadataFile(stage: Stage, id: string): string {
    return `${this.stageDirs[stage]}${nodePath.sep}${id}${nodePath.sep}metadata.json`
  }

  private presentIn(stage: Stage): Set<string> {
    let set = this.present.get(stage)
    if (set === undefined) this.present.set(stage, set = new Set())
    return set
  }

  /** Records that a generation's metadata exists (learned elsewhere, e.g. by a worker). */
  markPresent(stage: Stage, id: string): void {
    this.presentIn(stage).add(id)
  }

  /** Forget what was learned: the store may have changed since (call at the start of each build). */
  reset(): void {
    this.present.clear()
    this.listings.reset()
  }

  /** Starts listing the stage folders of modest size in the background (see `StageListings.prefetch`). */
  prefetchListings(): void {
    this.listings.prefetch()
  }
  /** Whether the metadata of `ids` is read directly, without listing the stage's folder (a rerun). */
  readsDirectly(stage: Stage, ids: ReadonlyArray<string>): boolean {
    return this.listings.readsDirectly(stage, ids)
  }
  /** A listing being read ahead for `stage`, started if need be, to wait for before `listing`. */
  pendingListing(stage: Stage): Promise<void> | undefined {
    return this.listings.pending(stage)
  }
  /** The generation folders of a stage (one directory listing per build). */
  listing(stage: Stage): Set<string> {
    return this.listings.listing(stage)
  }

  /** What this store has done since it was made. */
  stats(): GensStoreStats {
    let knownPresent = 0
    for (const set of this.present.values()) knownPresent += set.size
    return { listingsRead: this.listings.reads, knownPresent, readDirectly: this.listings.readDirectly() }
  }

  /**
   * The text of a generation's metadata, undefined when it has none, or why what is there cannot be read
   * as metadata. `listed` says the folder is known to exist (no listing is consulted).
   */
  readMetadata(stage: Stage, id: string, listed = false): string | undefined | Unreadable {
    if (!listed && !this.listings.mayExist(stage, id)) return undefined
    const text = this.reader.read(this.metadataFile(stage, id))
    if (typeof text === "string") this.presentIn(stage).add(id)
    return text
  }

  /**
   * A generation's metadata as the object the original's `json.loads` reads; undefined when it has none, it
   * cannot be read, or it is not a JSON object (the lifecycle commands read what a few generations hold).
   */
  metadataOf(stage: Stage, id: string): Record<string, unknown> | undefined {
    const text = this.readMetadata(stage, id, true)
    return typeof text === "string" ? metadataObject(text) : undefined
  }

  /** Whether `id`'s folder is free for `canonical`, holds its metadata, another signature's, or unreadable metadata. */
  verify(stage: Stage, id: string, canonical: string, listed = false): Verdict {
    const found = this.examine(stage, id, canonical, listed)
    return found instanceof Unreadable ? UNREADABLE : found
  }

  /** `verify`, with the reason when the metadata is unreadable. */
  examine(stage: Stage, id: string, canonical: string, listed = false): Verdict | Unreadable {
    return verdictOf(stage, this.readMetadata(stage, id, listed), canonical)
  }

  /** Does the generation have metadata? */
  hasMetadata(stage: Stage, id: string): boolean {
    const present = this.presentIn(stage)
    if (present.has(id)) return true
    if (!this.listings.mayExist(stage, id)) return false
    // Only a regular file counts: a folder or a symlink to nothing is no metadata (createMetadata reports it).
    const found = isRegularFile(this.metadataFile(stage, id))
    if (found) present.add(id)
    return found
  }

  /**
   * Creates `gens/<stage>/<id>/metadata.json` with `content` unless it exists. Returns whether it wrote.
   * Throws the file-system error (with its path) on failure, leaving no temp file behind.
   */
  createMetadata(stage: Stage, id: string, content: string): boolean {
    const present = this.presentIn(stage)
    if (present.has(id)) return false
    const wrote = this.writer.create(`${this.stageDirs[stage]}${nodePath.sep}${id}`, content)
    present.add(id)
    return wrote
  }
}
