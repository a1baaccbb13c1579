import { Schema } from "effect"

/** A catalog file exists but cannot be used as it is (unreadable CSV, a legacy column, bad values). */
export class CatalogInvalid extends Schema.TaggedError<CatalogInvalid>()("CatalogInvalid", {
  slice: Schema.String,
  path: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `catalog ${this.slice} (${this.path}): ${this.reason}`
  }
}
