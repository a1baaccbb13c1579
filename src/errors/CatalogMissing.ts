import { Schema } from "effect"

/** A catalog slice the build needs is absent or has no rows. */
export class CatalogMissing extends Schema.TaggedError<CatalogMissing>()("CatalogMissing", {
  slice: Schema.String,
  path: Schema.optional(Schema.String),
  reason: Schema.optional(Schema.String)
}) {
  override get message(): string {
    const where = this.path === undefined ? "" : ` (${this.path})`
    return `catalog ${this.slice}${where}: ${this.reason ?? "missing or empty"}`
  }
}
