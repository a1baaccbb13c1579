import { formatCount } from "./Numbers.js"

/** A phase of a build as the progress line shows it. */
export interface ProgressState {
  readonly phase: string
  readonly done: number
  readonly total: number
  /** The total is a count so far: it may still grow. */
  readonly more?: boolean
  readonly elapsedMs: number
}

const rate = (done: number, elapsedMs: number): string =>
  elapsedMs > 0 ? `${formatCount(Math.round((done * 1000) / elapsedMs))}/s` : "-"

/**
 * The line a terminal shows (rewritten in place): `writing metadata: 12,345/624,000 (2%), 8,123/s`; of a
 * total that may still grow, `…: 12,345/40,000+, 8,123/s` (no percentage: it would fall back as it grows).
 */
export const progressLine = (s: ProgressState): string => {
  const percent = s.total > 0 && s.more !== true ? ` (${Math.floor((s.done * 100) / s.total)}%)` : ""
  const total = `${formatCount(s.total)}${s.more === true ? "+" : ""}`
  return `${s.phase}: ${formatCount(s.done)}/${total}${percent}, ${rate(s.done, s.elapsedMs)}`
}

/** The line a phase leaves when stderr is not a terminal: `writing metadata: 624,000 in 3.1 s (201,290/s)`. */
export const phaseLine = (s: ProgressState): string =>
  `${s.phase}: ${formatCount(s.done)} in ${(s.elapsedMs / 1000).toFixed(1)} s (${rate(s.done, s.elapsedMs)})`

/** Builds with fewer items than this in every phase show no progress (unless forced). */
export const PROGRESS_MIN_ITEMS = 20_000
/** A terminal's line is rewritten at most this often. */
const REDRAW_MS = 100

/**
 * A progress reporter writing to `write` (stderr): on a terminal one line rewritten in place (at most
 * ~10× a second), else one line per phase as it ends. It shows nothing until some phase has
 * `PROGRESS_MIN_ITEMS` items, unless `always`. `end` finishes the last phase.
 */
export const makeProgressReporter = (options: {
  readonly write: (text: string) => void
  readonly terminal: boolean
  readonly always: boolean
  readonly now?: () => number
}) => {
  const now = options.now ?? (() => performance.now())
  let on = options.always
  let current: { phase: string; start: number; done: number; total: number; more: boolean } | undefined
  // A phase starts when the one before it last reported (a phase reported once done still gets its time).
  let mark = now()
  let drawn = 0
  let lineShown = false
  const state = (at: number): ProgressState => ({
    phase: current!.phase,
    done: current!.done,
    total: current!.total,
    more: current!.more,
    elapsedMs: at - current!.start
  })
  /** The current phase's last line: its time runs to its last report. */
  // A phase that did not end (the build failed or was interrupted in it) leaves no line in a pipe.
  const finish = (ended = true) => {
    // A phase with nothing to do (no metadata to write on a rerun) leaves no line.
    if (current === undefined || !on || current.total === 0) return
    if (options.terminal) options.write(`\r${progressLine(state(mark))}\x1b[K\n`)
    else if (ended) options.write(`${phaseLine(state(mark))}\n`)
    lineShown = false
  }
  return {
    update: (phase: string, done: number, total: number, more = false): void => {
      if (current === undefined || current.phase !== phase) {
        finish()
        current = { phase, start: mark, done, total, more }
      }
      mark = now()
      current.done = done
      current.total = total
      current.more = more
      if (!on && total >= PROGRESS_MIN_ITEMS) on = true
      if (!on || !options.terminal) return
      const t = now()
      if (lineShown && t - drawn < REDRAW_MS) return
      drawn = t
      lineShown = true
      options.write(`\r${progressLine(state(t))}\x1b[K`)
    },
    /** The build is over: its last phase ended (`succeeded`), or it failed or was interrupted in it. */
    end: (succeeded = true): void => {
      finish(succeeded)
      current = undefined
    }
  }
}
