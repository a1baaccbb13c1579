import { Duration, Effect, Schedule, type Scope } from "effect"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as nodePath from "node:path"
import { ArtifactWriteFailed } from "../errors/ArtifactWriteFailed.js"
import { processAlive } from "./GensDirectory.js"

/** How long a build waits for another build of the same cohort before giving up. */
export const LOCK_WAIT = Duration.minutes(30)

interface Holder {
  readonly pid: number
  readonly host: string
}

class Busy {
  constructor(readonly holder: Holder | undefined) {}
}

const readHolder = (file: string): Holder | undefined => {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<Holder>
    return typeof parsed.pid === "number" && typeof parsed.host === "string" ? { pid: parsed.pid, host: parsed.host } : undefined
  } catch {
    return undefined
  }
}

/**
 * One attempt: create the lock file exclusively, or take it over when its holder is a dead process of
 * this host (a build killed before it could release it), or report who holds it.
 */
const tryLock = (file: string): Busy | undefined => {
  const me: Holder = { pid: process.pid, host: os.hostname() }
  // Written whole to a temp file, then hard-linked into place (a link never replaces a file): the lock
  // is never seen empty or half-written, even when a build is killed while taking it. A temp file
  // left by a kill carries the dead pid in its name and is swept by the next build.
  const temp = tempBeside(file)
  fs.writeFileSync(temp, JSON.stringify({ ...me, since: new Date().toISOString() }), { flag: "wx" })
  try {
    fs.linkSync(temp, file)
    return undefined
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
  } finally {
    fs.rmSync(temp, { force: true })
  }
  const holder = readHolder(file)
  if (holder !== undefined && holder.host === me.host && !processAlive(holder.pid)) {
    // Stale: renamed away first, so two builds taking it over cannot both succeed; under a temp name,
    // so that a kill before its removal leaves nothing a later build does not sweep.
    const stale = tempBeside(file)
    try {
      fs.renameSync(file, stale)
      fs.rmSync(stale, { force: true })
    } catch {
      return new Busy(holder)
    }
    return tryLock(file)
  }
  return new Busy(holder)
}

/** A temp name beside `file` in the form `sweepStaleTemps` removes once its process is dead. */
const tempBeside = (file: string): string =>
  nodePath.join(nodePath.dirname(file), `.${nodePath.basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`)

/**
 * Holds `cohorts/<id>/.lock` for the scope: builds of one cohort persist one after another. Waits
 * (polling) while another live build holds it; released when the scope closes, even on interruption.
 */
export const lockCohort = (
  cohortDir: string,
  wait: Duration.DurationInput = LOCK_WAIT
): Effect.Effect<void, ArtifactWriteFailed, Scope.Scope> => {
  const file = nodePath.join(cohortDir, ".lock")
  const attempt = Effect.try({
    try: () => tryLock(file),
    catch: (error) => new ArtifactWriteFailed({ path: file, cause: (error as Error).message })
  }).pipe(Effect.flatMap((busy) => (busy === undefined ? Effect.void : Effect.fail(busy))))
  const acquire = attempt.pipe(
    Effect.retry({
      while: (e) => e instanceof Busy,
      schedule: Schedule.exponential("20 millis", 1.5).pipe(
        Schedule.union(Schedule.spaced("500 millis")),
        Schedule.upTo(wait)
      )
    }),
    Effect.catchIf((e): e is Busy => e instanceof Busy, (busy) =>
      new ArtifactWriteFailed({
        path: file,
        cause: `cohort is locked by another build${busy.holder ? ` (pid ${busy.holder.pid} on ${busy.holder.host})` : ""}`
      }))
  )
  return Effect.acquireRelease(acquire, () =>
    Effect.sync(() => {
      if (readHolder(file)?.pid === process.pid) fs.rmSync(file, { force: true })
    }))
}
