import { PyFloat, pyFloatRepr, pyStr, PyTimestamp, type SpecValue } from "../domain/SpecValue.js"

// Python's csv writer (QUOTE_MINIMAL, lineterminator "\n" as the original's CSVs are written) quotes a
// field holding the delimiter, the quote or a character of the line terminator: a lone \r is not quoted.
const NEEDS_QUOTES = /[",\n]/

/** One CSV field, quoted only when Python's csv writer would quote it. */
export const csvField = (text: string): string => (NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, "\"\"")}"` : text)

/** One CSV line (with its `\n`) of design values: `None` is empty, others as Python's `str`. */
export const csvLine = (values: ReadonlyArray<SpecValue | undefined>): string => {
  let out = ""
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    const text = v === null || v === undefined ? "" : pyStr(v)
    out += i === 0 ? csvField(text) : `,${csvField(text)}`
  }
  // A lone empty field is quoted, so the line is not read back as a blank line.
  return values.length === 1 && out === "" ? "\"\"\n" : `${out}\n`
}

const jsonString = (text: string): string =>
  JSON.stringify(text).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)

/** Python's `json.dumps(value)` (default separators, ASCII-only), for JSON Lines output. */
export const pyJson = (value: unknown): string => {
  if (value === null || value === undefined) return "null"
  if (typeof value === "string") return jsonString(value)
  if (typeof value === "boolean") return value ? "true" : "false"
  if (typeof value === "bigint") return String(value)
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : pyFloatRepr(value)
  if (value instanceof PyFloat) {
    const v = value.value
    return Number.isNaN(v) ? "NaN" : !Number.isFinite(v) ? (v > 0 ? "Infinity" : "-Infinity") : pyFloatRepr(v)
  }
  // json.dumps cannot serialise a date (the original crashed): its str() is written instead.
  if (value instanceof PyTimestamp) return jsonString(value.text)
  if (Array.isArray(value)) return `[${value.map(pyJson).join(", ")}]`
  const entries = Object.entries(value as Record<string, unknown>)
  return `{${entries.map(([k, v]) => `${jsonString(k)}: ${pyJson(v)}`).join(", ")}}`
}

/** One JSON Lines record of a row. */
export const jsonLine = (columns: ReadonlyArray<string>, values: ReadonlyArray<unknown>): string => {
  let out = "{"
  for (let i = 0; i < columns.length; i++) {
    out += `${i === 0 ? "" : ", "}${jsonString(columns[i]!)}: ${pyJson(values[i])}`
  }
  return `${out}}\n`
}
