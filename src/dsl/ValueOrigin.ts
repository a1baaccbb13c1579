import type { SpecPlace } from "../domain/CohortSpec.js"
import { type DesignField, FIELD_ALIASES } from "../domain/DefinitionFromRows.js"
import { pyStrip } from "../domain/PythonText.js"
import { pyStr, type SpecValue } from "../domain/SpecValue.js"
import { InvalidSpec } from "../errors/InvalidSpec.js"
import { includeLine } from "./IncludeLines.js"
import { FILE_PREFIX } from "./Includes.js"
import type { ParsedSpec } from "./ParsedSpec.js"

/** Where a design value was written: the spec key (`axes.draft_replicate[0]`) and the include, if any. */
export interface ValueOrigin {
  readonly key: string
  readonly include?: string | undefined
}

const textOf = (value: SpecValue | undefined): string | undefined =>
  value === undefined || value === null ? undefined : pyStrip(pyStr(value))

const componentOf = (item: SpecValue, index: number): SpecValue | undefined =>
  Array.isArray(item) ? (item as ReadonlyArray<SpecValue>)[index] : undefined

/**
 * The first place in the spec where design column `column` gets the text `text`: a level of the axis of
 * that name, a component of a tuple's items, or a side of a pair's allowed values.
 */
export const originOf = (spec: ParsedSpec, column: string, text: string): ValueOrigin | undefined => {
  const axis = spec.axes.find((a) => a.name === column && !a.derived)
  const level = axis?.levels.findIndex((l) => textOf(l) === text) ?? -1
  if (axis !== undefined && level >= 0) return { key: `axes.${column}[${level}]`, include: axis.include }
  for (const rule of spec.rules) {
    if (rule._tag === "tuple" && rule.axes.includes(column)) {
      const at = rule.axes.indexOf(column)
      const item = rule.items.findIndex((i) => textOf(componentOf(i, at)) === text)
      if (item >= 0) return { key: `${rule.at}.items[${item}]`, include: rule.include }
    }
    if (rule._tag === "pair" && (rule.left === column || rule.right === column)) {
      const at = rule.left === column ? 0 : 1
      const item = rule.allowed.findIndex((i) => textOf(componentOf(i, at)) === text)
      if (item >= 0) return { key: `${rule.at}.allowed[${item}]`, include: rule.include }
    }
  }
  return undefined
}

/** The line of an include's value (`key` ends in its index), from the include's text kept at parse. */
const lineOf = (spec: ParsedSpec, origin: ValueOrigin): number | undefined => {
  const text = origin.include === undefined ? undefined : spec.includeTexts?.get(origin.include)
  const index = /\[(\d+)\]$/.exec(origin.key)
  return text === undefined || index === null ? undefined : includeLine(text, Number(index[1]))
}

/**
 * An error about design row `rows[i].column` restated at the spec's own place, where the value was
 * written (`axes.draft_replicate[0]`, or the include that holds it); the design row goes in the hint.
 */
export const atSpecOrigin = (spec: ParsedSpec) => (error: InvalidSpec): InvalidSpec => {
  const m = error.key === undefined ? null : /^rows\[(\d+)\]\.(.+)$/.exec(error.key)
  if (m === null || error.value === undefined) return error
  let text: unknown
  try {
    text = JSON.parse(error.value)
  } catch {
    return error
  }
  const origin = typeof text === "string" ? originOf(spec, m[2]!, text) : undefined
  if (origin === undefined) return error
  const row = `design row ${Number(m[1]) + 1}, column ${m[2]}`
  const line = lineOf(spec, origin)
  return new InvalidSpec({
    path: error.path,
    key: origin.key,
    reason: error.reason,
    value: error.value,
    hint: origin.include === undefined
      ? row
      : `from ${origin.include}, ${row}${
        line === undefined ? "" : `; line ${line} of ${origin.include.slice(FILE_PREFIX.length)}`
      }`
  })
}

/**
 * Where `spec` wrote the value `value` of design field `field` (any of its aliases, first listed first):
 * the spec key and, for an include, its file and the value's line, found again from the text kept at parse.
 */
export const specPlaces = (spec: ParsedSpec) => (field: string, value: string): SpecPlace | undefined => {
  const names: ReadonlyArray<string> = FIELD_ALIASES[field as DesignField] ?? [field]
  for (const name of names) {
    const origin = originOf(spec, name, value)
    if (origin === undefined) continue
    if (origin.include === undefined) return { key: origin.key }
    const line = lineOf(spec, origin)
    return { key: origin.key, file: origin.include.slice(FILE_PREFIX.length), ...(line === undefined ? {} : { line }) }
  }
  return undefined
}
