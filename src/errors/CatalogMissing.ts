import { Schema } from "effect"
import { cut, cutLong } from "../domain/TerminalText.js"
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
    const where = this.path === undefined ? "" : ` (${cutLong(this.path)})`
    setMessage(this, `catalog ${cut(this.slice)}${where}: ${cutLong(this.reason ?? "missing or empty")}`)
  }
}
