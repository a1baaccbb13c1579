import { Schema } from "effect"
import { Message, setMessage } from "./Message.js"

const fields = {
  reason: Schema.String,
  cohortId: Schema.optional(Schema.String),
  details: Schema.optional(Schema.Array(Schema.String))
}

/** The inputs are well-formed but violate a rule of the build (no definition, a bad cohort id, strict-mode warnings…). */
export class InvalidConstraint extends Schema.TaggedError<InvalidConstraint>()("InvalidConstraint", { ...fields, message: Message }) {
  constructor(props: Schema.Struct.Constructor<typeof fields>, options?: Schema.MakeOptions) {
    super(props, options)
    const who = this.cohortId === undefined ? "" : `cohort ${JSON.stringify(this.cohortId)}: `
    const details = this.details === undefined || this.details.length === 0 ? "" : `: ${this.details.join("; ")}`
    setMessage(this, `${who}${this.reason}${details}`)
  }
}
