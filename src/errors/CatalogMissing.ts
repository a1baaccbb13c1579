import { Schema } from "effect"
import { Message, setMessage } from "./Message.js"

const fields = {
  slice: Schema.String,
  path: Schema.optional(Schema.String),
  reason: Schema.optional(Schema.String)
}

/** A catalog slice the build needs is absent or has no rows. */
export class CatalogMissing
  extends Schema.TaggedError<CatalogMissing>()("CatalogMissing", { ...fields, message: Message })
{
  constructor(props: Schema.Struct.Constructor<typeof fields>, options?: Schema.MakeOptions) {
    super(props, options)
    const where = this.path === undefined ? "" : ` (${this.path})`
    setMessage(this, `catalog ${this.slice}${where}: ${this.reason ?? "missing or empty"}`)
  }
}
