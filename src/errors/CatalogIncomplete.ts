import { Schema } from "effect"
import { cut, cutLong, listShort } from "../domain/TerminalText.js"
import { Message, setMessage } from "./Message.js"

const fields = {
  slice: Schema.String,
  missingColumns: Schema.Array(Schema.String),
  path: Schema.optional(Schema.String)
}

/** A catalog slice lacks columns of its schema. */
export class CatalogIncomplete
  extends Schema.TaggedError<CatalogIncomplete>()("CatalogIncomplete", { ...fields, message: Message })
{
  constructor(props: Schema.Struct.Constructor<typeof fields>, options?: Schema.MakeOptions) {
    super(props, options)
    const where = this.path === undefined ? "" : ` (${cutLong(this.path)})`
    setMessage(this, `catalog ${cut(this.slice)}${where} lacks columns: ${listShort(this.missingColumns)}`)
  }
}
