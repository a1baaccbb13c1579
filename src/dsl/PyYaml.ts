import { Data, Effect } from "effect"
import { isScalar, type ParsedNode, parseDocument, type ScalarTag, type Tags, visit } from "yaml"
import { PyFloat } from "../domain/SpecValue.js"
import { cutLong, echoed } from "../domain/TerminalText.js"
import { pyTimestamp } from "./PyTimestamp.js"

/**
 * YAML and JSON read into spec values exactly as the original's PyYAML `safe_load` and `json.loads`
 * type them: PyYAML's YAML 1.1 resolvers (`yes`/`on` are booleans but `y` is not, `1e3` is a string,
 * `017` is octal, `1:30` is 90), floats kept apart from integers (`PyFloat`), timestamps as Python's
 * `date`/`datetime` (`PyTimestamp`), merge keys (`<<`) and the explicit standard tags (`!!float 2`) as
 * PyYAML resolves them.
 */

const scalar = (
  tag: string,
  test: RegExp,
  resolve: (source: string, onError: (message: string) => void) => unknown
): ScalarTag => ({
  identify: () => false,
  default: true,
  tag: `tag:yaml.org,2002:${tag}`,
  test,
  resolve
})

/** A tag written explicitly (`!!int '12'`): no implicit test, PyYAML's constructor applied to any text. */
const explicit = (
  tag: string,
  resolve: (source: string, onError: (message: string) => void) => unknown
): ScalarTag => ({
  identify: () => false,
  default: false,
  tag: `tag:yaml.org,2002:${tag}`,
  resolve
})

const guarded = <A>(what: string, f: (source: string) => A) => (source: string, onError: (message: string) => void) => {
  try {
    return f(source)
  } catch {
    onError(`${JSON.stringify(source)} is not a valid ${what}`)
    return source
  }
}

// Python ints are exact at any size: beyond 2^53 they are read as bigint.
const pyInt = (source: string): number | bigint => {
  let text = source.replace(/_/g, "")
  const negative = text.startsWith("-")
  if (text.startsWith("-") || text.startsWith("+")) text = text.slice(1)
  if (text.trim() === "") throw new Error("not an int")
  let value: bigint
  if (text.startsWith("0b")) value = BigInt(`0b${text.slice(2)}`)
  else if (text.startsWith("0x")) value = BigInt(`0x${text.slice(2)}`)
  else if (text.includes(":")) value = text.split(":").reduce((acc, part) => acc * 60n + BigInt(part), 0n)
  else if (text.length > 1 && text.startsWith("0")) value = BigInt(`0o${text.slice(1)}`)
  else value = BigInt(text)
  if (negative) value = -value
  return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value
}

// Python's float(): digits with an optional fraction and exponent, or inf/infinity/nan.
const FLOAT_TEXT = /^(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[-+]?[0-9]+)?|inf|infinity|nan)$/

const pyFloat = (source: string): PyFloat => {
  let text = source.replace(/_/g, "").toLowerCase()
  let sign = 1
  if (text.startsWith("-")) sign = -1
  if (text.startsWith("-") || text.startsWith("+")) text = text.slice(1)
  if (text === ".inf") return new PyFloat(sign * Infinity)
  if (text === ".nan") return new PyFloat(Number.NaN)
  if (text.includes(":")) return new PyFloat(sign * text.split(":").reduce((acc, part) => acc * 60 + Number(part), 0))
  const trimmed = text.trim()
  if (!FLOAT_TEXT.test(trimmed)) throw new Error("not a float")
  if (trimmed.startsWith("inf")) return new PyFloat(sign * Infinity)
  if (trimmed === "nan") return new PyFloat(Number.NaN)
  return new PyFloat(sign * Number(trimmed))
}

const BOOL_WORDS: Record<string, boolean> = { yes: true, no: false, true: true, false: false, on: true, off: false }

// The implicit resolvers of PyYAML 6 (yaml/resolver.py), in its order of precedence.
const PY_YAML_1_1: Array<ScalarTag> = [
  scalar("null", /^(?:~|null|Null|NULL|)$/, () => null),
  scalar("bool", /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/, () => true),
  scalar("bool", /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/, () => false),
  scalar(
    "int",
    new RegExp(
      String.raw`^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+` +
        String.raw`|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$`
    ),
    pyInt
  ),
  scalar(
    "float",
    new RegExp(
      String.raw`^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?` +
        String.raw`|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`
    ),
    pyFloat
  ),
  scalar(
    "timestamp",
    new RegExp(
      String.raw`^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)` +
        String.raw`[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$`
    ),
    guarded("timestamp", pyTimestamp)
  ),
  explicit("null", () => null),
  explicit(
    "bool",
    guarded("bool", (source) => {
      const value = BOOL_WORDS[source.toLowerCase()]
      if (value === undefined) throw new Error("not a bool")
      return value
    })
  ),
  explicit("int", guarded("int", pyInt)),
  explicit("float", guarded("float", pyFloat)),
  explicit("timestamp", guarded("timestamp", pyTimestamp))
]

// json.loads: integers stay int, anything with a fraction or exponent is a float; NaN and Infinity are read.
const JSON_SCALARS: Array<ScalarTag> = [
  scalar("float", /^NaN$/, () => new PyFloat(Number.NaN)),
  scalar("float", /^-?Infinity$/, (s) => new PyFloat(s.startsWith("-") ? -Infinity : Infinity)),
  scalar("null", /^null$/, () => null),
  scalar("bool", /^true$/, () => true),
  scalar("bool", /^false$/, () => false),
  scalar("int", /^-?(?:0|[1-9][0-9]*)$/, (s) => (Number.isSafeInteger(Number(s)) ? Number(s) : BigInt(s))),
  scalar("float", /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$/, (s) => new PyFloat(Number(s)))
]

const withScalars = (scalars: Array<ScalarTag>) => (tags: Tags): Tags => [
  ...tags.filter((t) =>
    typeof t !== "string" && !("test" in t && t.test !== undefined && t.default === true) && !t.tag.endsWith(":merge")
  ),
  ...scalars
]

/**
 * A text that is not valid YAML/JSON: where and why. `parseYaml`/`parseJson` fail with it; the caller,
 * which knows the file (or request body), turns it into its own error once.
 */
export class TextSyntaxError extends Data.TaggedError("TextSyntaxError")<{
  readonly reason: string
  readonly line?: number | undefined
}> {}

const syntaxError = (reason: string, line?: number): TextSyntaxError => new TextSyntaxError({ reason, line })

/**
 * Runs a reader whose syntax errors are thrown deep in a recursion: they fail the Effect, anything else
 * is a defect.
 */
const readingSyntax = (read: () => unknown): Effect.Effect<unknown, TextSyntaxError> =>
  Effect.suspend(() => {
    try {
      return Effect.succeed(read())
    } catch (error) {
      if (error instanceof TextSyntaxError) return Effect.fail(error)
      throw error
    }
  })

const INTEGER_KEY = /^(?:0|[1-9][0-9]*)$/
const NO_LEVEL_TAGS = new Set(["binary", "set", "omap", "pairs"].map((t) => `tag:yaml.org,2002:${t}`))

const lineOf = (text: string, offset: number): number => text.slice(0, offset).split("\n").length

const firstProblem = (doc: ReturnType<typeof parseDocument>, text: string): TextSyntaxError | undefined => {
  const error = doc.errors[0]
  if (error !== undefined) {
    const line = error.linePos?.[0].line
    return syntaxError(cutLong(error.message.split("\n")[0]!.replace(/:$/, "")), line)
  }
  let problem: TextSyntaxError | undefined
  visit(doc, {
    Node(_, node) {
      // Tags safe_load knows but whose values (bytes, sets, ordered pairs) are no axis level.
      if (node.tag !== undefined && NO_LEVEL_TAGS.has(node.tag)) {
        problem = syntaxError(`the tag ${node.tag.replace("tag:yaml.org,2002:", "!!")} makes no value a spec can hold`)
        return visit.BREAK
      }
      return undefined
    },
    Scalar(_, node) {
      if (node.tag !== undefined && NO_LEVEL_TAGS.has(node.tag)) {
        problem = syntaxError(`the tag ${node.tag.replace("tag:yaml.org,2002:", "!!")} makes no value a spec can hold`)
        return visit.BREAK
      }
      // PyYAML's scanner refuses a tab inside a plain (unquoted) scalar; quoted, it is a character.
      if (node.type === "PLAIN" && typeof node.source === "string" && node.source.includes("\t")) {
        problem = syntaxError(
          "a tab inside an unquoted value (PyYAML refuses it); quote the value",
          node.range == null ? undefined : lineOf(text, node.range[0])
        )
        return visit.BREAK
      }
      return undefined
    },
    Pair(_, pair) {
      const key = pair.key
      // Plain objects would reorder integer-like keys, and the original keeps mapping order.
      if (
        isScalar(key) &&
        (typeof key.value === "number" || (typeof key.value === "string" && INTEGER_KEY.test(key.value)))
      ) {
        const node = key as ParsedNode
        const shown = echoed(String(key.value))
        problem = syntaxError(
          `mapping key ${JSON.stringify(shown)} is a plain number; name it with letters (e.g. "v${shown}")`,
          node.range === undefined ? undefined : lineOf(text, node.range[0])
        )
        return visit.BREAK
      }
      if (isScalar(key) && typeof key.value !== "string") {
        problem = syntaxError(`mapping key ${echoed(String(key.value))} must be a string`)
        return visit.BREAK
      }
      return undefined
    }
  })
  return problem
}

/** YAML text (1.1 rules, as PyYAML reads it) → a spec value. */
export const parseYaml = (text: string): Effect.Effect<unknown, TextSyntaxError> =>
  readingSyntax(() => {
    const doc = parseDocument(text, {
      version: "1.1",
      customTags: withScalars(PY_YAML_1_1),
      merge: false,
      uniqueKeys: true,
      prettyErrors: true
    })
    const problem = firstProblem(doc, text)
    if (problem !== undefined) throw problem
    // safe_load refuses tags it does not know (`!!python/object`…); yaml would read them as strings.
    const unknownTag = doc.warnings.find((w) => w.code === "TAG_RESOLVE_FAILED")
    if (unknownTag !== undefined) {
      throw syntaxError(`unknown tag: ${echoed(unknownTag.message.split("\n")[0]!)}`, unknownTag.linePos?.[0].line)
    }
    return flattenMerges(toJS(doc))
  })

const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype

const MERGE = "<<"

/**
 * PyYAML's merge keys (`flatten_mapping`): the merged mappings' keys come first — of a list of
 * mappings, the last listed first, the first listed winning a clash — then the mapping's own keys,
 * which win their values but keep a merged key's place.
 */
const flattenMerges = (value: unknown): unknown => {
  if (Array.isArray(value)) {
    const out: Array<unknown> = []
    for (const item of value) {
      out.push(flattenMerges(item))
    }
    return out
  }
  if (!isMapping(value)) return value
  const own: Array<[string, unknown]> = []
  for (const [k, v] of Object.entries(value)) {
    own.push([k, flattenMerges(v)])
  }
  const merged = own.find(([k]) => k === MERGE)?.[1]
  if (merged === undefined) return Object.fromEntries(own)
  const sources = Array.isArray(merged) ? [...merged].reverse() : [merged]
  if (!sources.every(isMapping)) throw syntaxError("a merge key (<<) takes a mapping or a list of mappings")
  const out: Record<string, unknown> = {}
  for (const [k, v] of [...sources.flatMap((m) => Object.entries(m)), ...own.filter(([k]) => k !== MERGE)]) out[k] = v
  return out
}

/** `doc.toJS()`, with alias bombs and runaway nesting thrown as syntax errors. */
const toJS = (doc: ReturnType<typeof parseDocument>): unknown => {
  try {
    return doc.toJS({ maxAliasCount: 1000 })
  } catch (error) {
    throw syntaxError(
      (error as Error).message.includes("alias")
        ? "too many aliases (an alias bomb?)"
        : `cannot be read: ${(error as Error).message}`
    )
  }
}

/** JSON text → a spec value (floats as `PyFloat`). */
// Python's json.loads also reads the bare constants NaN, Infinity and -Infinity (outside strings).
const JSON_CONSTANT = /"(?:[^"\\]|\\.)*"|-?Infinity|NaN/g

export const parseJson = (text: string): Effect.Effect<unknown, TextSyntaxError> =>
  readingSyntax(() => {
    try {
      JSON.parse(text.replace(JSON_CONSTANT, (token) => (token.startsWith("\"") ? token : "0")))
    } catch (error) {
      throw syntaxError(`invalid JSON: ${(error as Error).message}`)
    }
    const doc = parseDocument(text, {
      version: "1.2",
      schema: "core",
      customTags: withScalars(JSON_SCALARS),
      uniqueKeys: true
    })
    const problem = firstProblem(doc, text)
    if (problem !== undefined) throw problem
    return toJS(doc)
  })
