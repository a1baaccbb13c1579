import { parse as parseCsv } from "csv-parse/sync"
import { isSeq, parseDocument } from "yaml"
import { pyStrip } from "../domain/PythonText.js"

/** An `@file:` include as read: its extension (which decided how it was read) and its text. */
export interface IncludeText {
  readonly ext: string
  readonly text: string
}

// Python's str.splitlines() boundaries, as a .txt include is split.
// eslint-disable-next-line no-control-regex
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/
const BREAKS = /\r\n|\r|\n/g

const csvLine = (text: string, index: number): number | undefined => {
  try {
    const records = parseCsv(text, { skip_empty_lines: true, relax_quotes: false, info: true }) as unknown as Array<
      { readonly record: Array<string>; readonly info: { readonly lines: number } }
    >
    const found = records[index + 1]
    if (found === undefined) return undefined
    // `lines` is the line the record ends on; a quoted cell may span several.
    const inside = found.record.reduce((n, cell) => n + (cell.match(BREAKS)?.length ?? 0), 0)
    return found.info.lines - inside
  } catch {
    return undefined
  }
}

const txtLine = (text: string, index: number): number | undefined => {
  const lines = text.split(LINE_BREAK)
  let seen = -1
  for (let i = 0; i < lines.length; i++) {
    if (pyStrip(lines[i]!) !== "" && ++seen === index) return i + 1
  }
  return undefined
}

const yamlLine = (text: string, index: number): number | undefined => {
  const doc = parseDocument(text, { version: "1.1", uniqueKeys: false })
  const item = isSeq(doc.contents) ? doc.contents.items[index] : undefined
  const start = (item as { range?: [number, number, number] } | undefined)?.range?.[0]
  return start === undefined ? undefined : text.slice(0, start).split(BREAKS).length
}

/**
 * The line (from 1) of an include's `index`-th value: a CSV's data row (after its header), a text file's
 * non-blank line, a YAML/JSON list's item. Found again from the text only when an error names the value,
 * so reading an include costs nothing more; `undefined` when the text does not say.
 */
export const includeLine = (include: IncludeText, index: number): number | undefined => {
  switch (include.ext) {
    case ".csv":
      return csvLine(include.text, index)
    case ".txt":
      return txtLine(include.text, index)
    case ".json":
    case ".yaml":
    case ".yml":
      return yamlLine(include.text, index)
    default:
      return undefined
  }
}
