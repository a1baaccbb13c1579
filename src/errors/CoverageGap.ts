import { Schema } from "effect"

/** The plan references values that its catalog does not list. `missing` is sorted. */
export class CoverageGap extends Schema.TaggedError<CoverageGap>()("CoverageGap", {
  stage: Schema.optional(Schema.String),
  field: Schema.String,
  missing: Schema.Array(Schema.String)
}) {
  override get message(): string {
    const stage = this.stage === undefined ? "" : `${this.stage} `
    return `${stage}${this.field} not in catalog: ${this.missing.join(", ")}`
  }
}
