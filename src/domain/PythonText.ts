/**
 * Text operations with the exact semantics of the original's Python, where they differ from JavaScript's
 * built-ins in ways that change ids or ordering.
 */

// str.strip() strips what str.isspace() accepts; String.prototype.trim differs (\x1c-\x1f, \x85, \ufeff).
const PY_SPACE = "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
const LEADING = new RegExp(`^[${PY_SPACE}]+`)
const TRAILING = new RegExp(`[${PY_SPACE}]+$`)
const EDGE = new RegExp(`^[${PY_SPACE}]|[${PY_SPACE}]$`)

/** Python's `str.strip()`. */
export const pyStrip = (text: string): string =>
  EDGE.test(text) ? text.replace(LEADING, "").replace(TRAILING, "") : text

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
