import { Schema } from "effect"
import { cut, cutLong } from "../domain/TerminalText.js"
import { Message, setMessage } from "./Message.js"

const fields = {
  cohortId: Schema.String,
  path: Schema.optional(Schema.String),
  cohorts: Schema.optional(Schema.Array(Schema.String)),
  hint: Schema.optional(Schema.String)
}

/**
 * The cohort has no spec where the repository looks for it. `cohorts` lists the cohorts that do have
 * one (for a did-you-mean); `hint` says what to try, e.g. when the data root itself does not exist.
 */
export class SpecNotFound extends Schema.TaggedError<SpecNotFound>()("SpecNotFound", { ...fields, message: Message }) {
  constructor(props: Schema.Struct.Constructor<typeof fields>, options?: Schema.MakeOptions) {
    super(props, options)
    const where = this.path === undefined ? "" : `: ${cutLong(this.path)} does not exist`
    const hint = this.hint === undefined ? "" : ` (${cutLong(this.hint)})`
    setMessage(this, `no spec for cohort "${cut(this.cohortId)}"${where}${hint}`)
  }
}
