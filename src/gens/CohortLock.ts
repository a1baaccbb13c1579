import { Duration, Effect, Schedule, type Scope } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as nodePath from "node:path"
import { escapeControls } from "../domain/TerminalText.js"
import { ArtifactWriteFailed } from "../errors/ArtifactWriteFailed.js"
import { Locked } from "../errors/Locked.js"
import { PID_NAMESPACE, PROCESS_START, startedThisBoot, startOf } from "./ProcessIdentity.js"
import { isCallTag, parseTempName, processAlive, tempName } from "./TempFiles.js"

/** How long a build waits for another build of the same cohort before failing with `Locked` (`--wait`). */
export const LOCK_WAIT = Duration.seconds(60)

/**
 * Staleness is proven by the holder's process where this process can see it (this host and pid namespace,
 * with the holder's start time in /proc): the lock is held exactly while that process lives, however long
 * its main thread is blocked or it is stopped (Ctrl-Z). Elsewhere it is proven by a heartbeat: the holder
 * touches the lock file every `HEARTBEAT`, so a lock untouched for `STALE_AFTER` has no live holder; a
 * holder whose heartbeat stopped that long and whose lock was taken over fails at its commit
 * (`CohortLock.stillHeld`). (Node has no `flock`; a native addon or a helper process would be the only
 * ways to hold one.)
 */
export const HEARTBEAT = Duration.seconds(2)
export const STALE_AFTER = Duration.seconds(20)
/** Long enough to see that a dead holder's heartbeat has stopped, after which its lock is taken over. */
export const DEAD_HOLDER_WAIT = Duration.sum(Duration.times(HEARTBEAT, 2), Duration.seconds(2))

/** What a lock file says of its holder. */
export interface Holder {
  /** The holder's pid namespace (Linux), so that its pid is checked only where it means the same process. */
  readonly pidns?: string
  readonly pid?: number
  readonly host?: string
  readonly since?: string
  /** When the holder's process started (boot id and start time, from /proc), so that a reused pid is not it. */
  readonly start?: string
}

/** What the lock file says of its holder: information only (it may be empty or not JSON). */
const readHolder = (file: string): Holder => {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>
    return {
      ...(typeof parsed["pid"] === "number" ? { pid: parsed["pid"] } : {}),
      ...(typeof parsed["host"] === "string" ? { host: parsed["host"] } : {}),
      ...(typeof parsed["since"] === "string" ? { since: parsed["since"] } : {}),
      ...(typeof parsed["pidns"] === "string" ? { pidns: parsed["pidns"] } : {}),
      ...(typeof parsed["start"] === "string" ? { start: parsed["start"] } : {})
    }
  } catch {
    return {}
  }
}

class Busy {
  constructor(readonly holder: Holder) {}
}

/**
 * Stale: held by a process of this host, pid namespace and boot that recorded its start and is no longer
 * running (another process of its pid is not it), whatever the heartbeat says; for any other holder, not
 * touched for `STALE_AFTER` (a dead holder, wherever it ran), or touched in a future further than that
 * (the clock was stepped back since), or held by a dead process of this host and pid namespace (taken
 * over at once). A holder of this host name in another pid namespace, or one that did not record its
 * namespace, has a pid this process cannot judge: its lock is held while its heartbeat is fresh (for a
 * lock without a namespace, fresh means touched within two beats).
 */
const isStale = (info: fs.Stats, holder: Holder, now: number): boolean => {
  const age = now - info.mtimeMs
  if (
    holder.host === os.hostname() && holder.pid !== undefined && holder.start !== undefined &&
    holder.pidns !== undefined && holder.pidns === PID_NAMESPACE && startedThisBoot(holder.start)
  ) {
    const start = startOf(holder.pid)
    if (start !== undefined) return start !== holder.start
    if (!processAlive(holder.pid)) return true
    // Running, but /proc does not show it (mounted with hidepid): judged by its heartbeat.
  }
  if (Math.abs(age) > Duration.toMillis(STALE_AFTER)) return true
  if (holder.host !== os.hostname() || holder.pid === undefined || holder.pid === process.pid) return false
  if (holder.pidns !== undefined) return holder.pidns === PID_NAMESPACE && !processAlive(holder.pid)
  return age > 2 * Duration.toMillis(HEARTBEAT) && !processAlive(holder.pid)
}

/** The holder as a `Locked` error names it. */
export const whoHolds = ({ host, pid, since }: Holder): { pid?: number; host?: string; since?: string } => ({
  ...(pid === undefined ? {} : { pid }),
  ...(host === undefined ? {} : { host }),
  ...(since === undefined ? {} : { since })
})

/** Who holds the lock file `file`, if a live build does (by the rule `lockCohort` takes locks over by). */
export const liveHolder = (file: string): Holder | undefined => {
  const info = statLock(file)
  if (info === undefined) return undefined
  const holder = readHolder(file)
  return isStale(info, holder, Date.now()) ? undefined : holder
}

/** A temp name beside `file` in the form `sweepFormerHolders` removes once its process is dead. */
const tempBeside = (file: string): string => nodePath.join(nodePath.dirname(file), tempName(nodePath.basename(file)))

/** The lock file, if it is there. */
const statLock = (file: string): fs.Stats | undefined => fs.statSync(file, { throwIfNoEntry: false })

/**
 * One attempt: create the lock file exclusively, or take it over when it is stale, or report who holds
 * it. Returns a descriptor open on the lock taken: its inode stays this lock's (never reused) while held.
 */
const tryLock = (file: string, former: Array<number>): number | Busy => {
  // Written whole to a temp file, then hard-linked into place (a link never replaces a file): the lock
  // is never seen empty or half-written, even when a build is killed while taking it.
  const temp = tempBeside(file)
  const self = {
    pid: process.pid,
    host: os.hostname(),
    since: new Date().toISOString(),
    ...(PID_NAMESPACE === undefined ? {} : { pidns: PID_NAMESPACE }),
    ...(PROCESS_START === undefined ? {} : { start: PROCESS_START })
  }
  const fd = fs.openSync(temp, "wx")
  let linked = false
  try {
    fs.writeFileSync(fd, JSON.stringify(self))
    fs.linkSync(temp, file)
    linked = true
    return fd
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
  } finally {
    if (!linked) fs.closeSync(fd)
    fs.rmSync(temp, { force: true })
  }
  const info = statLock(file)
  if (info === undefined) return tryLock(file, former)
  const holder = readHolder(file)
  if (!isStale(info, holder, Date.now())) return new Busy(holder)
  // Stale: renamed away first, so two builds taking it over cannot both succeed. If what was renamed is
  // not the lock judged stale (another build took it over meanwhile), or its holder touched it since it
  // was judged (it is alive: `stillHeld` touches it before it checks), it is put back.
  const stale = tempBeside(file)
  try {
    fs.renameSync(file, stale)
  } catch {
    return new Busy(holder)
  }
  // (Gone already if the build that holds the lock now swept it as an old temp file of the lock.)
  const renamed = statLock(stale)
  if (renamed === undefined) return new Busy(readHolder(file))
  if (renamed.ino !== info.ino || renamed.mtimeMs !== info.mtimeMs) {
    try {
      fs.linkSync(stale, file)
    } catch {
      // A third build took the lock in the moment it was away: the one renamed away is lost, and its
      // holder fails at its commit (`stillHeld`) unless it checked in that same moment.
    }
    fs.rmSync(stale, { force: true })
    return new Busy(readHolder(file))
  }
  fs.rmSync(stale, { force: true })
  if (holder.pid !== undefined) former.push(holder.pid)
  return tryLock(file, former)
}

/** The holder as the wait announces it; its host and time come from the lock file, so they are escaped. */
export const describeHolder = (holder: Holder): string =>
  escapeControls(
    `${holder.pid === undefined ? "an unknown process" : `pid ${holder.pid}`} on ${holder.host ?? "an unknown host"}` +
      (holder.since === undefined ? "" : ` since ${holder.since}`)
  )

/** The cohort's lock, held for a scope. */
export interface CohortLock {
  /** The pids of the stale holders this build took the lock over from (their temp files are swept). */
  readonly former: ReadonlyArray<number>
  /**
   * Touches the lock, then fails with `Locked` (`takenOver`) if it is no longer this build's: another
   * build judged it stale (its heartbeat had stopped) and took it over. Run right before a commit: once
   * it succeeds, the lock is fresh and still this build's, and a build that judged it stale just before
   * puts it back.
   */
  readonly stillHeld: Effect.Effect<void, Locked>
}

/**
 * Holds `cohorts/<id>/.lock` for the scope: builds of one cohort persist one after another. Waits
 * (polling, announced at once on the log) up to `wait` while another live build holds it, then fails
 * with `Locked`; the wait is interruptible (nothing is held yet). The lock's heartbeat runs while it is
 * held; it is released when the scope closes, even on interruption.
 */
export const lockCohort = (
  cohortDir: string,
  wait: Duration.DurationInput = LOCK_WAIT
): Effect.Effect<CohortLock, ArtifactWriteFailed | Locked, Scope.Scope> =>
  // Each run its own state (`taken`, `former`): the effect may be run more than once.
  Effect.suspend(() => lockOnce(cohortDir, wait))

const lockOnce = (
  cohortDir: string,
  wait: Duration.DurationInput
): Effect.Effect<CohortLock, ArtifactWriteFailed | Locked, Scope.Scope> => {
  const file = nodePath.join(cohortDir, ".lock")
  const former: Array<number> = []
  let announced = false
  /** The lock this build took (set in the same step as it is taken) and its heartbeat. */
  let taken: { readonly fd: number; readonly beat: ReturnType<typeof setInterval> } | undefined
  /** Touches this build's lock through its descriptor: never another build's lock, whatever its name. */
  const touch = (fd: number) => {
    try {
      fs.futimesSync(fd, new Date(), new Date())
    } catch {
      // A missed beat only makes the lock look older.
    }
  }
  /** Is the lock file still the one this build took? */
  const isOurs = (fd: number): boolean => {
    try {
      const ours = fs.fstatSync(fd)
      const current = statLock(file)
      return current !== undefined && current.ino === ours.ino && current.dev === ours.dev
    } catch {
      return false
    }
  }
  const attempt = Effect.try({
    try: () => {
      const got = tryLock(file, former)
      if (got instanceof Busy) return got
      // The heartbeat (a timer of this thread: a holder judged by its process is held while it is blocked).
      const beat = setInterval(() => touch(got), Duration.toMillis(HEARTBEAT))
      beat.unref()
      taken = { fd: got, beat }
      return taken
    },
    catch: (error) => new ArtifactWriteFailed({ path: file, cause: (error as Error).message })
  }).pipe(
    Effect.flatMap((got) => {
      if (!(got instanceof Busy)) return Effect.succeed(got)
      if (announced) return Effect.fail(got)
      announced = true
      return Effect.zipRight(
        Effect.logWarning(
          `waiting for the lock of ${escapeControls(cohortDir)}: held by ${describeHolder(got.holder)} ` +
            `(up to ${Duration.format(wait)}, --wait)`
        ),
        Effect.fail(got)
      )
    })
  )
  const acquire = attempt.pipe(
    Effect.retry({
      while: (e) => e instanceof Busy,
      schedule: Schedule.exponential("20 millis", 1.5).pipe(
        Schedule.union(Schedule.spaced("500 millis")),
        Schedule.upTo(wait)
      )
    }),
    Effect.catchIf((e): e is Busy => e instanceof Busy, (busy) =>
      new Locked({
        path: file,
        waitedSeconds: Math.round(Duration.toSeconds(wait)),
        ...whoHolds(busy.holder)
      }))
  )
  // The release is registered before the wait, and the lock is recorded (`taken`) in the same synchronous
  // step that takes it: the wait stays interruptible (Ctrl-C during `--wait` ends the build at once), and a
  // lock taken is released whatever interrupts the build afterwards, even before `acquire` has returned.
  const held = Effect.zipRight(
    Effect.addFinalizer(() =>
      Effect.sync(() => {
        if (taken === undefined) return
        const { beat, fd } = taken
        taken = undefined
        clearInterval(beat)
        if (isOurs(fd)) fs.rmSync(file, { force: true })
        fs.closeSync(fd)
      })
    ),
    acquire
  )
  return Effect.map(held, ({ fd }): CohortLock => ({
    former,
    stillHeld: Effect.suspend(() => {
      touch(fd)
      if (isOurs(fd)) return Effect.void
      return Effect.fail(
        new Locked({ path: file, waitedSeconds: 0, takenOver: true, ...whoHolds(readHolder(file)) })
      )
    })
  }))
}

/**
 * Removes, once the lock is held, what earlier holders left in the cohort folder: the temp files of an
 * artifact made by a holder the lock was taken over from (`former`), by a dead process, by an earlier
 * process of this pid, or untouched for `STALE_AFTER` (none is writing them now); a live process's fresh
 * one is kept (a `plan --out` into the folder takes no lock). The lock's own temp files go once their
 * process is dead or they are older than `STALE_AFTER` (a live build's lasts microseconds).
 */
export const sweepFormerHolders = (cohortDir: string, former: ReadonlyArray<number> = []): Effect.Effect<void> =>
  Effect.sync(() => {
    let names: Array<string> = []
    try {
      names = fs.readdirSync(cohortDir)
    } catch {
      return
    }
    const now = Date.now()
    for (const name of names) {
      const temp = parseTempName(name)
      if (temp === undefined || !isCallTag(temp.tag)) continue
      const full = nodePath.join(cohortDir, name)
      const info = fs.lstatSync(full, { throwIfNoEntry: false })
      if (info === undefined || !info.isFile()) continue
      const pid = temp.pid
      const orphan = temp.target === ".lock"
        ? !processAlive(pid) || now - info.mtimeMs > Duration.toMillis(STALE_AFTER)
        : former.includes(pid) || pid === process.pid || !processAlive(pid) ||
          now - info.mtimeMs > Duration.toMillis(STALE_AFTER)
      if (orphan) fs.rmSync(full, { force: true })
    }
  })
