import { Schema } from "effect"
import { cut, cutLong } from "../domain/TerminalText.js"
import { Message, setMessage } from "./Message.js"

const fields = {
  path: Schema.String,
  reason: Schema.String,
  key: Schema.optional(Schema.String),
  value: Schema.optional(Schema.String),
  hint: Schema.optional(Schema.String)
}

/**
 * A spec (or a file it includes, or the design rows it compiles to) is malformed.
 * `path` is the file, `key` the place inside it (`rules.pairs.draft_essay.allowed[2]`),
 * `value` the offending value as written.
 */
export class InvalidSpec extends Schema.TaggedError<InvalidSpec>()("InvalidSpec", { ...fields, message: Message }) {
  constructor(props: Schema.Struct.Constructor<typeof fields>, options?: Schema.MakeOptions) {
    super(props, options)
    const where = this.key === undefined ? cutLong(this.path) : `${cutLong(this.path)}: ${cut(this.key)}`
    const value = this.value === undefined ? "" : `: ${cut(this.value)}`
    const hint = this.hint === undefined ? "" : ` (${cutLong(this.hint)})`
    setMessage(this, `${where}: ${cutLong(this.reason)}${value}${hint}`)
  }
}
