import { PyFloat, pyFloatRepr, pyReprString } from "./SpecValue.js"

/**
 * JSON read as Python's `json.loads` reads it, where that differs from `JSON.parse` in ways that change
 * a signature: an integer literal keeps its exact value (a bigint beyond 2^53), a literal with a
 * fraction or exponent is a float (`PyFloat`, so `1.0` prints as `1.0`), and the bare constants `NaN`,
 * `Infinity` and `-Infinity` are read. Objects keep the last of repeated keys, as both do.
 */
export type PyJson = string | number | bigint | boolean | null | PyFloat | Array<PyJson> | { [key: string]: PyJson }

/** Why a text is not JSON to Python. */
export class PyJsonError {
  constructor(readonly reason: string) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y
// eslint-disable-next-line no-control-regex
const STRING = /"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"/y
const SPACE = /[ \t\n\r]*/y
const CONSTANTS: ReadonlyArray<[string, PyJson]> = [
  ["true", true],
  ["false", false],
  ["null", null],
  ["NaN", new PyFloat(Number.NaN)],
  ["Infinity", new PyFloat(Number.POSITIVE_INFINITY)],
  ["-Infinity", new PyFloat(Number.NEGATIVE_INFINITY)]
]
/** Python refuses deeper nesting (RecursionError), which the original counts as unreadable metadata. */
const MAX_DEPTH = 900

/** `json.loads(text)`, or why Python would refuse it. */
export const pyJsonLoads = (text: string): PyJson | PyJsonError => {
  let at = 0
  const skip = () => {
    SPACE.lastIndex = at
    SPACE.exec(text)
    at = SPACE.lastIndex
  }
  const fail = (what: string): never => {
    throw new PyJsonError(`${what} at character ${at}`)
  }
  const value = (depth: number): PyJson => {
    if (depth > MAX_DEPTH) fail("nesting too deep")
    skip()
    const c = text[at]
    if (c === "{" || c === "[") {
      at++
      const isObject = c === "{"
      const out: Array<PyJson> | Record<string, PyJson> = isObject ? Object.create(null) : []
      skip()
      if (text[at] === (isObject ? "}" : "]")) {
        at++
        return out
      }
      for (;;) {
        if (isObject) {
          skip()
          const key = string()
          skip()
          if (text[at++] !== ":") fail("expected ':'")
          ;(out as Record<string, PyJson>)[key] = value(depth + 1)
        } else (out as Array<PyJson>).push(value(depth + 1))
        skip()
        const next = text[at++]
        if (next === (isObject ? "}" : "]")) return out
        if (next !== ",") fail("expected ','")
      }
    }
    if (c === "\"") return string()
    for (const [word, constant] of CONSTANTS) {
      if (text.startsWith(word, at)) {
        at += word.length
        return constant
      }
    }
    NUMBER.lastIndex = at
    const m = NUMBER.exec(text)
    if (m === null) return fail("expected a value")
    at = NUMBER.lastIndex
    if (m[1] === undefined && m[2] === undefined) {
      const n = Number(m[0])
      return Number.isSafeInteger(n) ? n : BigInt(m[0])
    }
    return new PyFloat(Number(m[0]))
  }
  const string = (): string => {
    STRING.lastIndex = at
    const m = STRING.exec(text)
    if (m === null) return fail("expected a string")
    at = STRING.lastIndex
    return JSON.parse(m[0]) as string
  }
  try {
    const out = value(0)
    skip()
    if (at !== text.length) fail("extra data")
    return out
  } catch (error) {
    if (error instanceof PyJsonError) return error
    throw error
  }
}

const reprOf = (value: PyJson): string => (typeof value === "string" ? pyReprString(value) : pyJsonStr(value))

/** Python's `str()` of a value `json.loads` made (`True`, `None`, `1.0`, `['a', 1]`, `{'k': 2}`). */
export const pyJsonStr = (value: PyJson): string => {
  if (typeof value === "string") return value
  if (value === null) return "None"
  if (typeof value === "boolean") return value ? "True" : "False"
  if (typeof value === "number" || typeof value === "bigint") return String(value)
  if (value instanceof PyFloat) return pyFloatRepr(value.value)
  if (Array.isArray(value)) return `[${value.map(reprOf).join(", ")}]`
  return `{${Object.entries(value).map(([k, v]) => `${pyReprString(k)}: ${reprOf(v)}`).join(", ")}}`
}

/** Fields of metadata a signature reads. */
const SIGNATURE_FIELDS = [
  "combo_id",
  "template_id",
  "llm_model_id",
  "parent_gen_id",
  "essay_template",
  "evaluation_template"
]

const KEY = "\"replicate\""
const isJsonSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13

/**
 * Whether every `"replicate"` key of a metadata text holds an integer literal (`2`; `2.0` and `2e0` are
 * floats to json.loads). A text with no such key (it was escaped) proves nothing: false.
 */
const replicateIsIntegerLiteral = (text: string): boolean => {
  let found = false
  for (let at = text.indexOf(KEY); at >= 0; at = text.indexOf(KEY, at + KEY.length)) {
    let i = at + KEY.length
    while (isJsonSpace(text.charCodeAt(i))) i++
    if (text.charCodeAt(i) !== 58) continue // a value "replicate", not the key
    i++
    while (isJsonSpace(text.charCodeAt(i))) i++
    if (text.charCodeAt(i) === 45) i++
    const digits = i
    while (text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++
    const next = text.charCodeAt(i)
    if (i === digits || next === 46 || next === 101 || next === 69) return false
    found = true
  }
  return found
}

/**
 * A metadata file's JSON as the original's `json.loads` reads it. `JSON.parse` serves the common case
 * (signature fields that are texts, a replicate that is a text or a safe integer written as one); a number
 * where a text belongs (`1.0` is "1.0" to Python), a replicate written `2.0` (a float to Python: "2.0"),
 * an integer beyond 2^53 or `NaN` take the exact reader.
 */
export const readMetadataJson = (text: string): unknown | PyJsonError => {
  let fast: unknown
  try {
    fast = JSON.parse(text)
  } catch {
    return pyJsonLoads(text)
  }
  if (typeof fast !== "object" || fast === null || Array.isArray(fast)) return fast
  const m = fast as Record<string, unknown>
  const rep = m["replicate"]
  const exact = (typeof rep === "number" && (!Number.isSafeInteger(rep) || !replicateIsIntegerLiteral(text))) ||
    SIGNATURE_FIELDS.some((k) => typeof m[k] === "number" || (typeof m[k] === "object" && m[k] !== null))
  return exact ? pyJsonLoads(text) : fast
}
