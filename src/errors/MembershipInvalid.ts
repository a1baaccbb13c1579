import { Schema } from "effect"
import { cutLong, startWithin } from "../domain/TerminalText.js"

const shown = (value: string): string => JSON.stringify(value.length > 120 ? `${startWithin(value, 120)}…` : value)

/** A cohort's `membership.csv` cannot be read as `stage,gen_id` rows (`line` is 1-based). */
export class MembershipInvalid extends Schema.TaggedError<MembershipInvalid>()("MembershipInvalid", {
  path: Schema.String,
  reason: Schema.String,
  line: Schema.optional(Schema.Number),
  value: Schema.optional(Schema.String)
}) {
  override get message(): string {
    const where = this.line === undefined ? cutLong(this.path) : `${cutLong(this.path)}: line ${this.line}`
    return `${where}: ${cutLong(this.reason)}${this.value === undefined ? "" : `: ${shown(this.value)}`}`
  }
}
