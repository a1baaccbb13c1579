import { Schema } from "effect"

/** The inputs are well-formed but violate a rule of the build (no definition, a bad cohort id, strict-mode warnings…). */
export class InvalidConstraint extends Schema.TaggedError<InvalidConstraint>()("InvalidConstraint", {
  reason: Schema.String,
  cohortId: Schema.optional(Schema.String),
  details: Schema.optional(Schema.Array(Schema.String))
}) {
  override get message(): string {
    const who = this.cohortId === undefined ? "" : `cohort ${JSON.stringify(this.cohortId)}: `
    const details = this.details === undefined || this.details.length === 0 ? "" : `: ${this.details.join("; ")}`
    return `${who}${this.reason}${details}`
  }
}
