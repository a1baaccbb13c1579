import { Schema } from "effect"
import { Message, setMessage } from "./Message.js"

const fields = {
  stage: Schema.String,
  signature: Schema.String,
  attempts: Schema.optional(Schema.Array(Schema.String))
}

/** Every candidate id for a signature is taken by a generation with another signature. */
export class IdCollision extends Schema.TaggedError<IdCollision>()("IdCollision", { ...fields, message: Message }) {
  constructor(props: Schema.Struct.Constructor<typeof fields>, options?: Schema.MakeOptions) {
    super(props, options)
    const tried = this.attempts === undefined ? "" : ` (tried ${this.attempts.join(", ")})`
    setMessage(this, `${this.stage} id collision: no free id for signature ${this.signature}${tried}`)
  }
}
