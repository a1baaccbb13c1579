import { Schema } from "effect"
import { listShort } from "../domain/TerminalText.js"

/** The plan references values that its catalog does not list. `missing` is sorted (and whole; the message cuts it). */
export class CoverageGap extends Schema.TaggedError<CoverageGap>()("CoverageGap", {
  stage: Schema.optional(Schema.String),
  field: Schema.String,
  missing: Schema.Array(Schema.String)
}) {
  override get message(): string {
    const stage = this.stage === undefined ? "" : `${this.stage} `
    return `${stage}${this.field} not in catalog: ${listShort(this.missing)}`
  }
}
