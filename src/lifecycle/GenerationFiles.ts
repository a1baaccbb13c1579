import * as fs from "node:fs"
import * as nodePath from "node:path"
import { type Stage, STAGES } from "../domain/Stage.js"
import { claimRanges, type Progress } from "../parallel/ClaimLoop.js"
import { unpackLines } from "../parallel/Packing.js"

// Effect-free on purpose: status and purge visit every generation folder of a large store, one
// synchronous readdir each; an Effect per row would cost more than the system call.

/** Files of a generation folder, as bits. */
export const HAS_METADATA = 1
export const HAS_RAW = 4
export const HAS_PARSED = 8

/** Prefix of the trash folder (in gens/ and cohorts/) a purge moves a folder into before removing it. */
export const TRASH_PREFIX = ".purge-"

/**
 * Removes the trash a purge that was interrupted left in `gens/` and `cohorts/` (two small listings, so
 * every build can afford it). Best effort: what cannot be removed now is tried again by the next build
 * or purge. Returns how many trash folders went.
 */
export const sweepPurgeTrash = (dataRoot: string): number => {
  let swept = 0
  for (const dir of [nodePath.join(dataRoot, "gens"), nodePath.join(dataRoot, "cohorts")]) {
    let names: Array<string>
    try {
      names = fs.readdirSync(dir)
    } catch {
      continue
    }
    for (const name of names) {
      if (!name.startsWith(TRASH_PREFIX)) continue
      try {
        fs.rmSync(nodePath.join(dir, name), { recursive: true, force: true })
        swept++
      } catch {
        // Left for the next build or purge.
      }
    }
  }
  return swept
}

/** The folder names of `gens/<stage>/` (dot-named entries left out), empty when it does not exist. */
export const listStage = (gensRoot: string, stage: Stage): Set<string> => {
  try {
    return new Set(fs.readdirSync(nodePath.join(gensRoot, stage)).filter((name) => !name.startsWith(".")))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return new Set()
    throw error
  }
}

/**
 * Which generation files a folder known (or likely) to exist holds: one `access` per file name, which costs
 * the kernel less than reading the folder (open, getdents, close) and makes no JS array of names.
 */
export const probeFiles = (dir: string): number => {
  let bits = 0
  if (fs.existsSync(`${dir}/metadata.json`)) bits |= HAS_METADATA
  if (fs.existsSync(`${dir}/raw.txt`)) bits |= HAS_RAW
  if (fs.existsSync(`${dir}/parsed.txt`)) bits |= HAS_PARSED
  return bits
}

/** Items are claimed this many at a time from a shared counter, by whichever thread is free. */
const PROBE_CLAIM = 256

/**
 * Generation folders to probe, shared between threads (status): the rows `todo` lists are claimed from
 * `next`, each one's `probeFiles` bits written to `bits` in place.
 */
export interface SharedProbe {
  readonly gensRoot: string
  /** Each row's stage, as its index in `STAGES`. */
  readonly stages: Uint8Array
  /**
   * Each row's gen id, joined by newlines (ids are folder names: they hold none). Structured-cloning
   * 624k separate strings to the worker cost both threads more than joining and splitting them.
   */
  readonly genIds: string
  readonly todo: Int32Array
  readonly next: Int32Array
  readonly bits: Uint8Array
}

/** Probes claimed rows until none is left or about `budget` are done (`ids`: `work.genIds` split, if at hand). */
export const probeClaimed = (
  work: SharedProbe,
  budget = Infinity,
  ids: ReadonlyArray<string> = unpackLines(work.genIds, work.stages.length)
): Progress =>
  claimRanges(work.next, work.todo.length, PROBE_CLAIM, (start, end) => {
    for (let k = start; k < end; k++) {
      const i = work.todo[k]!
      work.bits[i] = probeFiles(`${work.gensRoot}/${STAGES[work.stages[i]!]}/${ids[i]}`)
    }
    return end - start
  }, budget)

/** Total bytes of the files under a folder (not following symlinks). */
export const folderBytes = (dir: string): number => {
  let total = 0
  let entries: Array<fs.Dirent>
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true })
  } catch {
    return 0
  }
  for (const entry of entries) {
    const full = nodePath.join(dir, entry.name)
    if (entry.isDirectory()) total += folderBytes(full)
    else {
      try {
        total += fs.lstatSync(full).size
      } catch {
        // removed meanwhile
      }
    }
  }
  return total
}
