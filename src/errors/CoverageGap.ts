import { Schema } from "effect"
import { Message, setMessage } from "./Message.js"

const fields = {
  stage: Schema.optional(Schema.String),
  field: Schema.String,
  missing: Schema.Array(Schema.String)
}

/** The plan references values that its catalog does not list. `missing` is sorted. */
export class CoverageGap extends Schema.TaggedError<CoverageGap>()("CoverageGap", { ...fields, message: Message }) {
  constructor(props: Schema.Struct.Constructor<typeof fields>, options?: Schema.MakeOptions) {
    super(props, options)
    const stage = this.stage === undefined ? "" : `${this.stage} `
    setMessage(this, `${stage}${this.field} not in catalog: ${this.missing.join(", ")}`)
  }
}
