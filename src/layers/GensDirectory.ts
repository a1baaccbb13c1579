import * as fs from "node:fs"
import * as nodePath from "node:path"
import { PyJsonError, readMetadataJson } from "../domain/PythonJson.js"
import { signatureOfMetadata } from "../domain/Signature.js"
import { type Stage, STAGES } from "../domain/Stage.js"
import { parseTempName, randomTag, tempName } from "../gens/TempFiles.js"
import { claimRanges, claimsStopped, type Progress, stopClaims } from "../parallel/ClaimLoop.js"

// Effect-free: a worker thread verifies metadata with it too (parallel/PoolWorker.ts).

/** `gens/<stage>/<gen_id>/metadata.json` of one membership row, key order as the original writes it. */
export const generationMetadata = (
  row: {
    stage: Stage
    gen_id: string
    parent_gen_id: string
    combo_id: string
    template_id: string
    llm_model_id: string
    replicate: number | bigint
  },
  cohortId: string,
  mode: string
): string => {
  const m: Record<string, unknown> = { stage: row.stage, gen_id: row.gen_id, origin_cohort_id: cohortId, mode }
  if (row.template_id !== "") m["template_id"] = row.template_id
  if (row.stage === "draft" && row.combo_id !== "") m["combo_id"] = row.combo_id
  if (row.parent_gen_id !== "") m["parent_gen_id"] = row.parent_gen_id
  if (row.llm_model_id !== "") m["llm_model_id"] = row.llm_model_id
  if (typeof row.replicate === "number") {
    m["replicate"] = row.replicate
    return JSON.stringify(m, null, 2)
  }
  // A bigint (beyond 2^31 - 1) is written as its digits, as json.dumps writes a Python int: in place of a
  // stand-in number, the last key.
  m["replicate"] = 0
  const text = JSON.stringify(m, null, 2)
  return `${text.slice(0, text.length - "0\n}".length)}${row.replicate}\n}`
}

/** Is a process with this pid alive (so its temp files are still in use)? */
export const processAlive = (pid: number): boolean => {
  if (pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

// Metadata temp files are tagged `<tag>-<seq>` (the tag, random per process, keeps a reused pid's names
// apart; see TempFiles.ts).
const RUN_TAG = randomTag()
const readBuffer = Buffer.allocUnsafe(1 << 16)

/** The largest metadata file read (a generation's metadata is a few hundred bytes). */
export const MAX_METADATA_BYTES = 1 << 20

/** A metadata file larger than the read buffer, whose first `n` bytes are in it: the rest read from `fd`. */
const readRest = (fd: number, n: number): string | Unreadable => {
  const chunks = [Buffer.from(readBuffer.subarray(0, n))]
  let at = n
  for (let k = 0; (k = fs.readSync(fd, readBuffer, 0, readBuffer.length, at)) > 0; at += k) {
    if (at + k > MAX_METADATA_BYTES) return new Unreadable(`larger than ${MAX_METADATA_BYTES} bytes`)
    chunks.push(Buffer.from(readBuffer.subarray(0, k)))
  }
  return Buffer.concat(chunks).toString("utf8")
}

/**
 * Why a generation's `metadata.json` cannot be taken for its metadata: it is not a regular file, cannot
 * be read, or does not parse as metadata. Such a folder counts as another signature's (as the original
 * counts it), and the build reports it.
 */
export class Unreadable {
  constructor(readonly reason: string) {}
}

const kindOf = (info: fs.Stats): string =>
  info.isDirectory()
    ? "a folder"
    : info.isFIFO()
    ? "a FIFO"
    : info.isCharacterDevice()
    ? "a character device"
    : info.isBlockDevice()
    ? "a block device"
    : info.isSocket()
    ? "a socket"
    : "not a regular file"

/** Is `file` (followed if a symlink) a regular file? Never opens it. */
const isRegularFile = (file: string): boolean => {
  try {
    return fs.statSync(file, { throwIfNoEntry: false })?.isFile() === true
  } catch {
    return false
  }
}

/** What an open file is, when a read was not plainly a small regular file's. */
const notRegular = (fd: number): Unreadable | undefined => {
  const info = fs.fstatSync(fd)
  if (!info.isFile()) return new Unreadable(`not a regular file (${kindOf(info)})`)
  return info.size > MAX_METADATA_BYTES ? new Unreadable(`larger than ${MAX_METADATA_BYTES} bytes`) : undefined
}

/** Stage folders up to this size (~25k generations on ext4) are listed ahead, in the background. */
const LIST_AHEAD_MAX_BYTES = 1 << 20
/** Ids sampled to tell whether a build's generations mostly exist already. */
const DIRECT_SAMPLE = 64

/**
 * Metadata is read without updating its access time where the kernel allows it (files this user owns):
 * the first read after a write would otherwise update the inode of every file, which made the first rerun
 * after a fresh build of 624k generations ~5× slower (28 s against 5 s, nearly all of it in the kernel).
 */
const NOATIME = fs.constants.O_NOATIME ?? 0
// O_NONBLOCK: a FIFO in the store must not block the open (nor a read: it reads as nothing, then fstat
// tells what it is); it changes nothing for regular files.
const PLAIN = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0)
let readFlags = PLAIN | NOATIME
const openForReading = (file: string): number => {
  try {
    return fs.openSync(file, readFlags)
  } catch (error) {
    // EPERM: a file of another user (O_NOATIME needs ownership); from then on, plain reads.
    if (readFlags === PLAIN || (error as NodeJS.ErrnoException).code !== "EPERM") throw error
    readFlags = PLAIN
    return fs.openSync(file, readFlags)
  }
}

/**
 * The `gens/` store of a data root, read and written with synchronous calls in plain loops: for
 * hundreds of thousands of small files they cost a fraction of promise-based I/O (measured ~4 µs per
 * read against ~35 µs). Callers run them in chunks inside Effects so that work stays interruptible.
 *
 * A metadata file is created by writing a temp file beside it and hard-linking it into place: the link
 * never replaces an existing file. A crash leaves at worst a temp file, removed when a later build finds
 * the folder without metadata, or harmless (dot-named) beside complete metadata.
 */
/** What a generation folder holds for a signature: no metadata, its metadata, or another's. */
export const FREE = 0
export const SAME = 1
export const OTHER = 2
/** Metadata that is there but unreadable (not a regular file, not JSON, no signature): counts as OTHER. */
export const UNREADABLE = 3
export type Verdict = typeof FREE | typeof SAME | typeof OTHER | typeof UNREADABLE

export class GensDirectory {
  private readonly listings = new Map<Stage, Set<string>>()
  /** Ids whose metadata file is known to exist (read, found or written during this run), per stage. */
  private readonly present = new Map<Stage, Set<string>>()
  private readonly stageDirs: Record<Stage, string>
  private tempSeq = 0

  constructor(readonly root: string) {
    const dir = (stage: Stage) => nodePath.join(root, "gens", stage)
    this.stageDirs = { draft: dir("draft"), essay: dir("essay"), evaluation: dir("evaluation") }
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
    this.listings.clear()
    this.present.clear()
    this.direct.clear()
    // A listing read ahead serves the first build after it was started, never a later one (the store
    // may have changed since).
    for (const [stage, entry] of this.prefetched) {
      if (entry.claimed) this.prefetched.delete(stage)
      else entry.claimed = true
    }
  }

  /** Listings read ahead (in the background), each used once, by the next build. */
  private readonly prefetched = new Map<
    Stage,
    { done: boolean; names: Array<string>; ready: Promise<void>; claimed: boolean }
  >()

  /** Stages whose metadata is read without a listing: most of the ids asked for have some. */
  private readonly direct = new Set<Stage>()

  /** Starts listing a stage's folder in the background (libuv's thread pool). */
  private listAhead(stage: Stage, claimed: boolean): Promise<void> {
    const entry = { done: false, names: [] as Array<string>, ready: Promise.resolve(), claimed }
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
  prefetchListings(): void {
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
  pendingListing(stage: Stage): Promise<void> | undefined {
    if (this.listings.has(stage)) return undefined
    const entry = this.prefetched.get(stage)
    if (entry === undefined) return this.listAhead(stage, true)
    return entry.done ? undefined : entry.ready
  }

  /** The generation folders of a stage (one directory listing per run). */
  listing(stage: Stage): Set<string> {
    let set = this.listings.get(stage)
    if (set === undefined) {
      const ahead = this.prefetched.get(stage)
      let names: Array<string> = []
      if (ahead !== undefined && ahead.done) {
        names = ahead.names
        this.prefetched.delete(stage)
      } else {
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

  /** Whether `id` may have a folder: listed, or its stage is read directly. */
  private mayExist(stage: Stage, id: string): boolean {
    return this.direct.has(stage) || this.listing(stage).has(id)
  }

  /**
   * The text of a generation's metadata, undefined when it has none, or why what is there cannot be read
   * as metadata. `listed` says the folder is known to exist (no listing is consulted).
   */
  readMetadata(stage: Stage, id: string, listed = false): string | undefined | Unreadable {
    if (!listed && !this.mayExist(stage, id)) return undefined
    const file = this.metadataFile(stage, id)
    let fd: number
    try {
      fd = openForReading(file)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code !== "ENOENT") return new Unreadable(`cannot be opened (${code ?? String(error)})`)
      // A symlink to nothing is not "no metadata": something is in the way of writing it.
      return fs.lstatSync(file, { throwIfNoEntry: false }) === undefined
        ? undefined
        : new Unreadable("a dangling symlink")
    }
    try {
      // Metadata files are small: one read into a reused buffer. The file is stat'ed only when that read
      // is not plainly a small file's (nothing, a full buffer, an error): fstat on every file costs ~2.7 µs,
      // ~1.7 s of CPU on a rerun of 624k generations.
      let n: number
      try {
        n = fs.readSync(fd, readBuffer, 0, readBuffer.length, 0)
      } catch (error) {
        return notRegular(fd) ??
          new Unreadable(`cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`)
      }
      if (n === 0 || n === readBuffer.length) {
        const odd = notRegular(fd)
        if (odd !== undefined) return odd
      }
      const text = n < readBuffer.length ? readBuffer.toString("utf8", 0, n) : readRest(fd, n)
      if (typeof text === "string") this.presentIn(stage).add(id)
      return text
    } finally {
      fs.closeSync(fd)
    }
  }

  /** Whether `id`'s folder is free for `canonical`, holds its metadata, another signature's, or unreadable metadata. */
  verify(stage: Stage, id: string, canonical: string, listed = false): Verdict {
    const found = this.examine(stage, id, canonical, listed)
    return found instanceof Unreadable ? UNREADABLE : found
  }

  /** `verify`, with the reason when the metadata is unreadable. */
  examine(stage: Stage, id: string, canonical: string, listed = false): Verdict | Unreadable {
    const text = this.readMetadata(stage, id, listed)
    if (text === undefined) return FREE
    if (text instanceof Unreadable) return text
    const metadata = readMetadataJson(text)
    if (metadata instanceof PyJsonError) {
      return new Unreadable(
        text.trim() === "" ? "empty" : text.startsWith("\ufeff") ? "starts with a BOM (not JSON)" : "not JSON"
      )
    }
    const signature = signatureOfMetadata(stage, metadata)
    if (signature === undefined) return new Unreadable("records no signature")
    return signature === canonical ? SAME : OTHER
  }

  /** Does the generation have metadata? */
  hasMetadata(stage: Stage, id: string): boolean {
    const present = this.presentIn(stage)
    if (present.has(id)) return true
    if (!this.mayExist(stage, id)) return false
    // Only a regular file counts: a folder or a symlink to nothing is no metadata (createMetadata reports it).
    const found = isRegularFile(this.metadataFile(stage, id))
    if (found) present.add(id)
    return found
  }

  /** Removes temp files of dead processes from one generation folder. */
  private sweepDir(dir: string): void {
    for (const name of fs.readdirSync(dir)) {
      const temp = parseTempName(name)
      if (temp?.target === "metadata.json" && !processAlive(temp.pid)) {
        fs.rmSync(nodePath.join(dir, name), { force: true })
      }
    }
  }

  /**
   * Creates `gens/<stage>/<id>/metadata.json` with `content` unless it exists. Returns whether it wrote.
   * Throws the file-system error (with its path) on failure, leaving no temp file behind.
   */
  createMetadata(stage: Stage, id: string, content: string): boolean {
    const present = this.presentIn(stage)
    if (present.has(id)) return false
    const dir = nodePath.join(this.stageDir(stage), id)
    try {
      fs.mkdirSync(dir)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
      // A folder that existed without metadata may hold the temp file of a build that was killed.
      this.sweepDir(dir)
    }
    // The temp file sits in the new, tiny generation folder: one shared temp folder churned by
    // hundreds of thousands of files made every create several times slower.
    const temp = nodePath.join(dir, tempName("metadata.json", `${RUN_TAG}-${this.tempSeq++}`))
    try {
      fs.writeFileSync(temp, content, { flag: "wx" })
    } catch (error) {
      // A disk that fills mid-write leaves a partial temp file: removed before the error is reported.
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
        try {
          fs.rmSync(temp, { force: true })
        } catch {
          // The write's error is the one to report.
        }
      }
      throw error
    }
    try {
      fs.linkSync(temp, nodePath.join(dir, "metadata.json"))
      present.add(id)
      return true
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") {
        const target = nodePath.join(dir, "metadata.json")
        // Something that is not a regular file holds the name: the generation would have no metadata.
        if (!isRegularFile(target)) {
          throw Object.assign(new Error(`metadata.json is in the way and is not a regular file: ${target}`), {
            path: target
          })
        }
        present.add(id)
        return false
      }
      throw error
    } finally {
      fs.unlinkSync(temp)
    }
  }
}

/** Items are claimed this many at a time from a shared counter, by whichever thread is free. */
const CLAIM = 256

/** Metadata to verify, shared between threads: items are claimed from `next`, verdicts written in place. */
export interface SharedVerification {
  readonly stage: Stage
  readonly ids: ReadonlyArray<string>
  readonly canonicals: ReadonlyArray<string>
  readonly next: Int32Array
  readonly verdicts: Uint8Array
}

export type { Progress }

/** Verifies claimed items until none is left or about `budget` are done. */
export const verifyClaimed = (gens: GensDirectory, work: SharedVerification, budget = Infinity): Progress =>
  claimRanges(work.next, work.ids.length, CLAIM, (start, end) => {
    for (let i = start; i < end; i++) {
      work.verdicts[i] = gens.verify(work.stage, work.ids[i]!, work.canonicals[i]!, true)
    }
    return end - start
  }, budget)

/** The membership columns a generation's metadata is made of (plain arrays: they cross to a worker). */
export interface GenerationColumns {
  readonly stage: ReadonlyArray<Stage>
  readonly gen_id: ReadonlyArray<string>
  readonly parent_gen_id: ReadonlyArray<string>
  readonly combo_id: ReadonlyArray<string>
  readonly template_id: ReadonlyArray<string>
  readonly llm_model_id: ReadonlyArray<string>
  readonly replicate: ReadonlyArray<number | bigint>
}

/**
 * `GenerationColumns` as sent to a worker: the two id columns as single strings, the other texts as
 * codes into one small list, numbers in shared memory. Structured-cloning 4.4M strings (seven columns
 * of 624k rows) cost the worker ~0.7 s before its first write; this costs it ~0.1 s.
 */
export interface PackedColumns {
  readonly rows: number
  readonly stages: Uint8Array
  readonly genIds: string
  readonly parentGenIds: string
  readonly texts: ReadonlyArray<string>
  readonly combo: Int32Array
  readonly template: Int32Array
  readonly llm: Int32Array
  /** A replicate, or -(k + 1) for `bigReplicates[k]` (beyond 2^31 - 1; bigints survive structured cloning). */
  readonly replicate: Float64Array
  readonly bigReplicates?: ReadonlyArray<bigint>
}

/** Packs columns for a worker (gen ids and parent ids hold no newline: they are checked folder names). */
export const packColumns = (rows: GenerationColumns): PackedColumns => {
  const n = rows.gen_id.length
  const shared = <A>(make: new(buffer: SharedArrayBuffer) => A, bytes: number): A =>
    new make(new SharedArrayBuffer(n * bytes))
  const texts: Array<string> = []
  const codes = new Map<string, number>()
  const code = (text: string): number => {
    let c = codes.get(text)
    if (c === undefined) codes.set(text, c = texts.push(text) - 1)
    return c
  }
  const packed = {
    rows: n,
    stages: shared(Uint8Array, 1),
    genIds: rows.gen_id.join("\n"),
    parentGenIds: rows.parent_gen_id.join("\n"),
    texts,
    combo: shared(Int32Array, 4),
    template: shared(Int32Array, 4),
    llm: shared(Int32Array, 4),
    replicate: shared(Float64Array, 8),
    bigReplicates: [] as Array<bigint>
  }
  for (let i = 0; i < n; i++) {
    packed.stages[i] = STAGES.indexOf(rows.stage[i]!)
    packed.combo[i] = code(rows.combo_id[i]!)
    packed.template[i] = code(rows.template_id[i]!)
    packed.llm[i] = code(rows.llm_model_id[i]!)
    const r = rows.replicate[i]!
    packed.replicate[i] = typeof r === "number" ? r : -packed.bigReplicates.push(r)
  }
  return packed
}

/** The columns `packColumns` packed. */
export const unpackColumns = (packed: PackedColumns): GenerationColumns => {
  const n = packed.rows
  const column = <A>(at: (i: number) => A): Array<A> => {
    const out = new Array<A>(n)
    for (let i = 0; i < n; i++) out[i] = at(i)
    return out
  }
  const split = (joined: string) => {
    const values = n === 0 ? [] : joined.split("\n")
    if (values.length !== n) throw new Error(`packed ids: ${values.length} for ${n} rows (an id held a newline)`)
    return values
  }
  return {
    stage: column((i) => STAGES[packed.stages[i]!]!),
    gen_id: split(packed.genIds),
    parent_gen_id: split(packed.parentGenIds),
    combo_id: column((i) => packed.texts[packed.combo[i]!]!),
    template_id: column((i) => packed.texts[packed.template[i]!]!),
    llm_model_id: column((i) => packed.texts[packed.llm[i]!]!),
    replicate: Array.from(packed.replicate, (r) => (r < 0 ? packed.bigReplicates![-r - 1]! : r))
  }
}

/** What became of a generation to write. */
export const WRITTEN = 1
export const EXISTED = 2

/** A failed write, as plain data (it crosses threads). */
export interface WriteFailure {
  readonly path: string
  readonly message: string
}

/**
 * Generations to write, shared between threads: the rows `todo` lists are claimed from `next`, and
 * each one's outcome (`WRITTEN` or `EXISTED`) is recorded in place.
 */
export interface SharedWrites {
  readonly cohortId: string
  /** `template_modes`: the mode of a stage's template (`llm` when absent). */
  readonly modes: Readonly<Record<string, Readonly<Record<string, string>>>>
  readonly rows: GenerationColumns
  readonly todo: Int32Array
  readonly next: Int32Array
  readonly outcomes: Uint8Array
}

/** `SharedWrites` as sent to a worker thread. */
export interface SharedWritesJob extends Omit<SharedWrites, "rows"> {
  readonly packed: PackedColumns
}

/** A template's mode (`llm` when absent): own keys only, so a template named `__proto__` or `constructor` is a name. */
const modeOf = (modes: SharedWrites["modes"], stage: Stage, template: string): string => {
  const ofStage = Object.hasOwn(modes, stage) ? modes[stage] : undefined
  return ofStage !== undefined && Object.hasOwn(ofStage, template) ? ofStage[template]! : "llm"
}

/** Stops every thread writing `work` before its next row (claims after this find nothing). */
export const stopWrites = (work: Pick<SharedWrites, "next">): void => stopClaims(work.next)

/**
 * Writes claimed generations until none is left or about `budget` are done. A failure stops every
 * thread (`stopWrites`) and is returned with the progress.
 */
export const writeClaimed = (
  gens: GensDirectory,
  work: SharedWrites,
  budget = Infinity
): Progress & { readonly failure?: WriteFailure } => {
  const { rows } = work
  let failure: WriteFailure | undefined
  const progress = claimRanges(work.next, work.todo.length, CLAIM, (start, end) => {
    for (let k = start; k < end; k++) {
      if (claimsStopped(work.next)) return k - start
      const i = work.todo[k]!
      const stage = rows.stage[i]!
      const id = rows.gen_id[i]!
      const template = rows.template_id[i]!
      const content = generationMetadata(
        {
          stage,
          gen_id: id,
          parent_gen_id: rows.parent_gen_id[i]!,
          combo_id: rows.combo_id[i]!,
          template_id: template,
          llm_model_id: rows.llm_model_id[i]!,
          replicate: rows.replicate[i]!
        },
        work.cohortId,
        modeOf(work.modes, stage, template)
      )
      try {
        work.outcomes[k] = gens.createMetadata(stage, id, content) ? WRITTEN : EXISTED
      } catch (error) {
        stopWrites(work)
        const e = error as NodeJS.ErrnoException
        failure = { path: e.path ?? gens.metadataFile(stage, id), message: e.message }
        return k - start
      }
    }
    return end - start
  }, budget)
  return failure === undefined ? progress : { ...progress, failure }
}
