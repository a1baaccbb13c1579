import { Schema } from "effect"
import { Message, setMessage } from "./Message.js"

const fields = {
  path: Schema.String,
  cause: Schema.String
}

/** Writing an artifact failed; nothing at `path` was replaced. */
export class ArtifactWriteFailed extends Schema.TaggedError<ArtifactWriteFailed>()("ArtifactWriteFailed", { ...fields, message: Message }) {
  constructor(props: Schema.Struct.Constructor<typeof fields>, options?: Schema.MakeOptions) {
    super(props, options)
    setMessage(this, `cannot write ${this.path}: ${this.cause}`)
  }
}
