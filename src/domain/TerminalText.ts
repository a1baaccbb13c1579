import { CONTROL_RANGES } from "./ControlCharacters.js"
import { formatCount } from "./CountText.js"

/**
 * Characters that must never reach a terminal raw from data: the control characters (C0: ESC starts ANSI
 * sequences that retitle or clear a terminal; DEL; C1: U+009B is a one-character CSI), and the
 * bidirectional overrides and isolates that reorder what a line shows (U+061C, U+200E/F, U+202A–E,
 * U+2066–9), plus the line and paragraph separators.
 */
const UNSAFE = new RegExp(String.raw`[${CONTROL_RANGES}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]`, "g")

/** `text` with every unsafe character shown as a `\uXXXX` escape (the one escaping of echoed text). */
export const escapeControls = (text: string): string =>
  text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)

/** Values listed in a message before "and K more" (the full list stays in the error's fields). */
export const MAX_LISTED = 20
/** Longest listed value: a runaway value must not make a megabyte-long line. */
export const MAX_LISTED_CHARS = 200

/**
 * Longest path or sentence part of a message (a reason, a cause, a hint): ours are far shorter, and a
 * path the system accepts is shorter still, but one made of a runaway value must not make a
 * megabyte-long line either.
 */
export const MAX_LONG_CHARS = 1000

const isHighSurrogate = (unit: number): boolean => unit >= 0xd800 && unit <= 0xdbff
const isLowSurrogate = (unit: number): boolean => unit >= 0xdc00 && unit <= 0xdfff

/**
 * The first `max` UTF-16 units of `text` (all of it if shorter), one fewer when the last would be the first
 * half of a surrogate pair: a character outside the BMP is left out whole, so no lone surrogate is made.
 */
export const startWithin = (text: string, max: number): string =>
  text.length <= max
    ? text
    : text.slice(
      0,
      max > 0 && isHighSurrogate(text.charCodeAt(max - 1)) && isLowSurrogate(text.charCodeAt(max))
        ? max - 1
        : max
    )

/** `text` cut to at most `max` UTF-16 units (`startWithin`), saying how many were left out. */
export const cutTo = (text: string, max: number): string => {
  if (text.length <= max) return text
  const start = startWithin(text, max)
  return `${start}… (${text.length - start.length} more characters)`
}

/** A value cut to `MAX_LISTED_CHARS`, saying how much was left out (not escaped). */
export const cut = (text: string): string => cutTo(text, MAX_LISTED_CHARS)

/** A path or a sentence part of a message (a reason, a cause) cut to `MAX_LONG_CHARS` (not escaped). */
export const cutLong = (text: string): string => cutTo(text, MAX_LONG_CHARS)

/** One value echoed in a message (a path, an id): cut to `MAX_LISTED_CHARS`, unsafe characters escaped. */
export const echoed = (text: string): string => escapeControls(cut(text))

/** `a, b, c and K more`: the first `MAX_LISTED` values, each cut to `MAX_LISTED_CHARS`. */
export const listShort = (values: ReadonlyArray<string>): string => {
  const shown = values.slice(0, MAX_LISTED).map(cut)
  const more = values.length - shown.length
  return more > 0 ? `${shown.join(", ")} and ${formatCount(more)} more` : shown.join(", ")
}
