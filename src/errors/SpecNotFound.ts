import { Schema } from "effect"
import { Message, setMessage } from "./Message.js"

const fields = {
  cohortId: Schema.String,
  path: Schema.optional(Schema.String)
}

/** The cohort has no spec where the repository looks for it. */
export class SpecNotFound extends Schema.TaggedError<SpecNotFound>()("SpecNotFound", { ...fields, message: Message }) {
  constructor(props: Schema.Struct.Constructor<typeof fields>, options?: Schema.MakeOptions) {
    super(props, options)
    const where = this.path === undefined ? "" : `: ${this.path} does not exist`
    setMessage(this, `no spec for cohort "${this.cohortId}"${where}`)
  }
}
