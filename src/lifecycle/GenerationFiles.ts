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

/** A line's bits while it is not probed: not yet, or a worker could not read its stage and gen id. */
export const UNPROBED = 0x80

/**
 * The lines of a membership.csv to probe before its rows are known (status starts on them while it
 * makes the spec's rows): each data line's stage and gen id cells read from the file's bytes, its folder's
 * `probeFiles` bits written to `bits` at its line. A data line is a non-empty line after the header; a line
 * whose cells are not plain (below) keeps `UNPROBED`, left to the thread that knows its row.
 */
export interface SharedLineProbe {
  readonly gensRoot: string
  /** The membership.csv's bytes. */
  readonly bytes: Uint8Array
  /** Where each data line starts, and where its content stops (before a `\r`). */
  readonly starts: Int32Array
  readonly stops: Int32Array
  /** The header's columns `stage` and `gen_id`. */
  readonly stageCell: number
  readonly idCell: number
  readonly next: Int32Array
  readonly bits: Uint8Array
}

const NEWLINE = 10
const RETURN = 13
const COMMA = 44

/** The data lines of a membership.csv's bytes (as `readMembershipIds` counts them): where each starts and stops. */
export const dataLines = (bytes: Uint8Array): { readonly starts: Int32Array; readonly stops: Int32Array } => {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)
  const header = buffer.indexOf(NEWLINE)
  let count = 0
  for (let at = header < 0 ? -1 : buffer.indexOf(NEWLINE, header + 1); at >= 0; at = buffer.indexOf(NEWLINE, at + 1)) {
    count++
  }
  if (header >= 0 && buffer.length > 0 && buffer[buffer.length - 1] !== NEWLINE) count++
  const starts = new Int32Array(new SharedArrayBuffer(4 * count))
  const stops = new Int32Array(new SharedArrayBuffer(4 * count))
  let n = 0
  for (let from = header + 1; header >= 0 && from < buffer.length;) {
    let end = buffer.indexOf(NEWLINE, from)
    if (end < 0) end = buffer.length
    const stop = end > from && buffer[end - 1] === RETURN ? end - 1 : end
    if (stop > from) {
      starts[n] = from
      stops[n] = stop
      n++
    }
    from = end + 1
  }
  return { starts: starts.subarray(0, n), stops: stops.subarray(0, n) }
}

const STAGE_BYTES = STAGES.map((stage) => Buffer.from(stage, "latin1"))

/** Whether `bytes[from, to)` is a gen id as it stands: 1-200 printable ASCII bytes, no `/` or `\\`, no leading dot. */
const plainGenId = (bytes: Uint8Array, from: number, to: number): boolean => {
  if (to <= from || to - from > 200 || bytes[from] === 0x2e) return false
  for (let k = from; k < to; k++) {
    const b = bytes[k]!
    if (b < 0x21 || b > 0x7e || b === 0x2f || b === 0x5c) return false
  }
  return true
}

/**
 * The folder (`<stage>/<gen id>`) of data line `k` when its stage cell is a stage's name exactly and its
 * gen id cell a plain gen id (no space to trim, nothing to decode), else `undefined`: what
 * `readMembershipIds` reads of such a line is these bytes as they are.
 */
export const lineFolder = (
  work: Pick<SharedLineProbe, "bytes" | "starts" | "stops" | "stageCell" | "idCell">,
  k: number
): string | undefined => {
  const { bytes } = work
  const from = work.starts[k]!
  const stop = work.stops[k]!
  const idFrom = cellStart(bytes, from, stop, work.idCell)
  const stageFrom = cellStart(bytes, from, stop, work.stageCell)
  if (idFrom < 0 || stageFrom < 0) return undefined
  const idTo = cellEnd(bytes, idFrom, stop)
  if (!plainGenId(bytes, idFrom, idTo)) return undefined
  const stageLength = cellEnd(bytes, stageFrom, stop) - stageFrom
  const stage = STAGE_BYTES.findIndex((name) =>
    name.length === stageLength && name.every((b, i) => bytes[stageFrom + i] === b)
  )
  if (stage < 0) return undefined
  return `${STAGES[stage]}/${Buffer.from(bytes.buffer, bytes.byteOffset + idFrom, idTo - idFrom).toString("latin1")}`
}

/** Where the `index`-th comma-separated cell of `bytes[from, stop)` starts (-1: the line has fewer). */
const cellStart = (bytes: Uint8Array, from: number, stop: number, index: number): number => {
  let at = from
  for (let cell = 0; cell < index; cell++) {
    at = cellEnd(bytes, at, stop)
    if (at >= stop) return -1
    at++
  }
  return at
}

/** Where the cell starting at `at` ends (its comma, or the line's stop). */
const cellEnd = (bytes: Uint8Array, at: number, stop: number): number => {
  while (at < stop && bytes[at] !== COMMA) at++
  return at
}

/** Probes claimed data lines until none is left or about `budget` are done. */
export const probeLinesClaimed = (work: SharedLineProbe, budget = Infinity): Progress =>
  claimRanges(work.next, work.starts.length, PROBE_CLAIM, (start, end) => {
    for (let k = start; k < end; k++) {
      const folder = lineFolder(work, k)
      if (folder !== undefined) work.bits[k] = probeFiles(`${work.gensRoot}/${folder}`)
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
