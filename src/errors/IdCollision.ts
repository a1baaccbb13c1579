import { Schema } from "effect"
import { cut, listShort } from "../domain/TerminalText.js"
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
    const tried = this.attempts === undefined ? "" : ` (tried ${listShort(this.attempts)})`
    setMessage(this, `${cut(this.stage)} id collision: no free id for signature ${cut(this.signature)}${tried}`)
  }
}
