/**
 * The tables this package hands out — catalog slices, a membership and its preview — as its types
 * name them. At run time each is an arquero `ColumnTable` (arquero 8); this interface lists the part
 * of it the package relies on, so that its declarations do not pull in arquero's (which do not pass
 * `skipLibCheck: false`). An arquero table is one (pass your own as frames); for arquero's verbs, cast:
 * `table as unknown as aq.ColumnTable`.
 *
 * Plain rows: `rowsOf(table)` (one object per row, keyed by column name); one column:
 * `table.array("gen_id")`; CSV text: `table.toCSV()`.
 */
export interface ColumnTable {
  /** Rows of the table. */
  numRows(): number
  /** Columns of the table. */
  numCols(): number
  /** Column names, in order. */
  columnNames(): Array<string>
  /** The values of one column, in row order. */
  array(name: string): ArrayLike<unknown>
  /** The value of a column in a row (default row 0). */
  get(name: string, row?: number): unknown
  /** Rows `start` (inclusive) to `end` (exclusive) as a new table. */
  slice(start?: number, end?: number): ColumnTable
  /** Rows as plain objects keyed by column name (`limit`/`offset` select a window); see `rowsOf`. */
  objects(options?: { readonly limit?: number; readonly offset?: number }): Array<object>
  /** The table as CSV text (header row first, `delimiter` default `,`). */
  toCSV(options?: { readonly delimiter?: string }): string
}

/** The rows of a table as plain objects keyed by column name, in row order (arquero's `objects()`). */
export const rowsOf = (table: ColumnTable): Array<Record<string, unknown>> =>
  table.objects() as Array<Record<string, unknown>>
