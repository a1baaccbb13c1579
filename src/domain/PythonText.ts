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

/**
 * Python's `sorted()` order on strings: by code point, not by UTF-16 unit. At the first differing unit,
 * a surrogate (half of an astral code point, above every BMP code point) sorts after any other unit;
 * two surrogates or two BMP units compare as they are (UTF-16 keeps code point order within each).
 */
export const compareCodePoints = (a: string, b: string): number => {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y) {
      const xs = x >= 0xd800 && x <= 0xdfff
      const ys = y >= 0xd800 && y <= 0xdfff
      if (xs !== ys) return xs ? 1 : -1
      return x - y
    }
  }
  return a.length - b.length
}

const DECIMAL = /^\p{Nd}$/u
const PY_INT = /^[+-]?\p{Nd}+(?:_\p{Nd}+)*$/u
const digitValues = new Map<number, number>()

/** The value of a Unicode decimal digit (`unicodedata.decimal`): its place in its run of 0-9 blocks. */
const digitValue = (cp: number): number => {
  if (cp >= 0x30 && cp <= 0x39) return cp - 0x30
  let value = digitValues.get(cp)
  if (value === undefined) {
    let k = 0
    while (DECIMAL.test(String.fromCodePoint(cp - k - 1))) k++
    digitValues.set(cp, value = k % 10)
  }
  return value
}

/** Python 3.11's default `sys.get_int_max_str_digits()`: `int()` of a longer decimal text raises ValueError. */
const MAX_STR_DIGITS = 4300

/**
 * Python's `int(text)`: surrounding whitespace, a sign, any Unicode decimal digits (`"١"` is 1), single
 * underscores between digits (`"1_0"` is 10); undefined where Python raises ValueError (also beyond
 * 4300 digits, Python's limit on converting a text).
 */
export const pyIntOfText = (text: string): bigint | undefined => {
  const t = pyStrip(text)
  if (!PY_INT.test(t)) return undefined
  if (t.length > MAX_STR_DIGITS && [...t.replace(/[+\-_]/g, "")].length > MAX_STR_DIGITS) return undefined
  let digits = ""
  for (const c of t) {
    if (c === "_" || c === "+") continue
    digits += c === "-" ? "-" : String(digitValue(c.codePointAt(0)!))
  }
  return BigInt(digits)
}

/** `sorted(set(values))` as Python would print it. */
export const sortedUnique = (values: Iterable<string>): Array<string> =>
  Array.from(new Set(values)).sort(compareCodePoints)
