import { formatCount } from "./CountText.js"

/**
 * Characters that must never reach a terminal raw from data: C0 controls (ESC starts ANSI sequences that
 * retitle or clear a terminal), DEL, C1 controls (U+009B is a one-character CSI), and the bidirectional
 * overrides and isolates that reorder what a line shows (U+061C, U+200E/F, U+202A–E, U+2066–9), plus the
 * line and paragraph separators.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

/** `text` with every unsafe character shown as a `\uXXXX` escape (the one escaping of echoed text). */
export const escapeControls = (text: string): string =>
  text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)

/** Values listed in a message before "and K more" (the full list stays in the error's fields). */
export const MAX_LISTED = 20
/** Longest listed value: a runaway value must not make a megabyte-long line. */
export const MAX_LISTED_CHARS = 200

/** `a, b, c and K more`: the first `MAX_LISTED` values, each cut to `MAX_LISTED_CHARS`. */
export const listShort = (values: ReadonlyArray<string>): string => {
  const shown = values.slice(0, MAX_LISTED).map((v) =>
    v.length <= MAX_LISTED_CHARS
      ? v
      : `${v.slice(0, MAX_LISTED_CHARS)}… (${v.length - MAX_LISTED_CHARS} more characters)`
  )
  const more = values.length - shown.length
  return more > 0 ? `${shown.join(", ")} and ${formatCount(more)} more` : shown.join(", ")
}
