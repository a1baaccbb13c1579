import { Schema } from "effect"

/** A catalog slice lacks columns of its schema. */
export class CatalogIncomplete extends Schema.TaggedError<CatalogIncomplete>()("CatalogIncomplete", {
  slice: Schema.String,
  missingColumns: Schema.Array(Schema.String),
  path: Schema.optional(Schema.String)
}) {
  override get message(): string {
    const where = this.path === undefined ? "" : ` (${this.path})`
    return `catalog ${this.slice}${where} lacks columns: ${this.missingColumns.join(", ")}`
  }
}
