import { escapeControls } from "./TerminalText.js"

/**
 * Values of a spec keep their YAML/JSON type until rows are read, as in the original: `1` and `'1'`
 * are different levels, `1.0` prints as `1.0`, integers beyond 2^53 stay exact (bigint). Arrays stand for
 * Python tuples (CSV tuples, pair values).
 */
export type SpecValue = string | number | bigint | boolean | null | PyFloat | PyTimestamp | ReadonlyArray<SpecValue>

/** A YAML/JSON float, kept apart from integers so that it prints the way Python prints it. */
export class PyFloat {
  constructor(readonly value: number) {}
  toString(): string {
    return pyFloatRepr(this.value)
  }
  toJSON(): number {
    return this.value
  }
}

/**
 * A YAML timestamp as PyYAML's `safe_load` makes it: a `datetime.date`, or a `datetime.datetime` (naive,
 * or with a fixed UTC offset). `text` is Python's `str()` of it, `repr` its `repr()`, and `key` decides
 * equality as Python's `==` does (aware datetimes by instant; a date never equals a datetime or a text).
 */
export class PyTimestamp {
  constructor(readonly text: string, readonly repr: string, readonly key: string) {}
  toString(): string {
    return this.text
  }
  toJSON(): string {
    return this.text
  }
}

/** Python's `repr(float)`: shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
export const pyFloatRepr = (value: number): string => {
  if (Number.isNaN(value)) return "nan"
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf"
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0"
  const [mantissa, exp] = value.toExponential().split("e") as [string, string]
  const negative = mantissa.startsWith("-")
  const digits = mantissa.replace("-", "").replace(".", "")
  const exponent = Number(exp)
  const decpt = exponent + 1
  let body: string
  if (decpt <= -4 || decpt > 16) {
    const frac = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits
    const e = Math.abs(exponent)
    body = `${frac}e${exponent < 0 ? "-" : "+"}${e < 10 ? `0${e}` : e}`
  } else if (decpt <= 0) {
    body = `0.${"0".repeat(-decpt)}${digits}`
  } else if (decpt >= digits.length) {
    body = `${digits}${"0".repeat(decpt - digits.length)}.0`
  } else {
    body = `${digits.slice(0, decpt)}.${digits.slice(decpt)}`
  }
  return negative ? `-${body}` : body
}

/** Python's `repr(str)`. */
export const pyReprString = (text: string): string => {
  const quote = text.includes("'") && !text.includes("\"") ? "\"" : "'"
  const escaped = text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t")
  return quote + (quote === "'" ? escaped.replace(/'/g, "\\'") : escaped) + quote
}

const pyRepr = (value: SpecValue): string =>
  typeof value === "string" ? pyReprString(value) : value instanceof PyTimestamp ? value.repr : pyStr(value)

/** Python's `str(value)`: how a design value becomes text when rows are read or written as CSV. */
export const pyStr = (value: SpecValue): string => {
  if (typeof value === "string") return value
  if (typeof value === "number" || typeof value === "bigint") return String(value)
  if (typeof value === "boolean") return value ? "True" : "False"
  if (value === null) return "None"
  if (value instanceof PyFloat) return pyFloatRepr(value.value)
  if (value instanceof PyTimestamp) return value.text
  const items = (value as ReadonlyArray<SpecValue>).map(pyRepr)
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(", ")})`
}

// A whole float equals the integer of the same value (2**60 == 2.0**60): both key by its exact digits.
const floatKey = (v: number): string =>
  Number.isNaN(v) ? "nan" : Number.isInteger(v) && !Number.isSafeInteger(v) ? `n${BigInt(v)}` : `n${v}`

/**
 * A key under which two values are equal exactly when Python's `==` (and hash) says so:
 * `1 == 1.0 == True`, `'1' != 1`, tuples element-wise.
 */
export const valueKey = (value: SpecValue): string => {
  if (typeof value === "string") return `s${value}`
  if (typeof value === "number" || typeof value === "bigint") return `n${value}`
  if (typeof value === "boolean") return value ? "n1" : "n0"
  if (value === null) return "z"
  if (value instanceof PyFloat) return floatKey(value.value)
  if (value instanceof PyTimestamp) return value.key
  return `t[${(value as ReadonlyArray<SpecValue>).map(valueKey).join("\u0000")}]`
}

/** Longest shown value: a runaway value must not turn an error into a megabyte-long line. */
const MAX_SHOWN = 200

/** Shows a value in an error message the way the spec writes it (long values cut). */
export const showValue = (value: unknown): string => {
  let text: string
  if (value instanceof PyFloat) text = pyFloatRepr(value.value)
  else if (value instanceof PyTimestamp) text = value.text
  else {
    try {
      text = JSON.stringify(value, (_, v) => (v instanceof PyFloat ? v.value : v)) ?? String(value)
    } catch {
      text = String(value)
    }
  }
  // JSON escapes C0 controls; C1 controls and bidi overrides are escaped too.
  const shown = escapeControls(text)
  return shown.length <= MAX_SHOWN
    ? shown
    : `${shown.slice(0, MAX_SHOWN)}… (${shown.length - MAX_SHOWN} more characters)`
}

/** Is this a value a spec may hold (a scalar, or a list of them at any depth)? Mappings are not. */
export const isSpecValue = (value: unknown): value is SpecValue =>
  value === null || typeof value === "string" || typeof value === "number" || typeof value === "bigint" ||
  typeof value === "boolean" ||
  value instanceof PyFloat || value instanceof PyTimestamp || (Array.isArray(value) && value.every(isSpecValue))
