import { pyStrip } from "./PythonText.js"

/** What is wrong with a CSV header: a blank column name (1-based column) or a name given twice. */
export type CsvHeaderProblem =
  | { readonly _tag: "Blank"; readonly column: number }
  | { readonly _tag: "Duplicate"; readonly name: string }

/**
 * A CSV header's column names (stripped as Python's `str.strip()`), or its first problem: every column
 * needs a name, and no name may be given twice. Catalogs and CSV includes both check it this way.
 */
export const csvHeaderNames = (header: ReadonlyArray<string>): ReadonlyArray<string> | CsvHeaderProblem => {
  const names = header.map(pyStrip)
  const blank = names.findIndex((n) => n === "")
  if (blank >= 0) return { _tag: "Blank", column: blank + 1 }
  const duplicate = names.find((n, i) => names.indexOf(n) !== i)
  return duplicate === undefined ? names : { _tag: "Duplicate", name: duplicate }
}
