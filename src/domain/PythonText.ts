/**
 * Text operations with the exact semantics of the original's Python, where they differ from JavaScript's
 * built-ins in ways that change ids or ordering.
 */

// str.strip() strips what str.isspace() accepts; String.prototype.trim differs (\x1c-\x1f, \x85, \ufeff).
const PY_SPACE = "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
const LEADING = new RegExp(`^[${PY_SPACE}]+`)
const TRAILING = new RegExp(`[${PY_SPACE}]+$`)

/** Whether Python's `str.isspace()` accepts this UTF-16 unit (the set of PY_SPACE). */
const isPySpace = (c: number): boolean =>
  c <= 0x20
    ? (c >= 0x09 && c <= 0x0d) || c >= 0x1c
    : c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 ||
      c === 0x202f || c === 0x205f || c === 0x3000

/** Python's `str.strip()`. Texts without a space at either end (nearly all) skip the regexes. */
export const pyStrip = (text: string): string =>
  text.length === 0 || (!isPySpace(text.charCodeAt(0)) && !isPySpace(text.charCodeAt(text.length - 1)))
    ? text
    : text.replace(LEADING, "").replace(TRAILING, "")

/** Python's `sorted()` order on strings: by code point, not by UTF-16 unit. */
export const compareCodePoints = (a: string, b: string): number => {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y) {
      const xs = x >= 0xd800 && x <= 0xdfff
      const ys = y >= 0xd800 && y <= 0xdfff
      // A surrogate (astral code point) sorts after every BMP unit above the surrogate range.
      if (xs !== ys) return xs ? (y > 0xdfff ? 1 : -1) : (x > 0xdfff ? -1 : 1)
      return x - y
    }
  }
  return a.length - b.length
}

/** `sorted(set(values))` as Python would print it. */
export const sortedUnique = (values: Iterable<string>): Array<string> =>
  Array.from(new Set(values)).sort(compareCodePoints)
