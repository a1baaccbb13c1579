import { Schema } from "effect"
import { cut, cutLong } from "../domain/TerminalText.js"
import { Message, setMessage } from "./Message.js"

const fields = {
  slice: Schema.String,
  path: Schema.String,
  reason: Schema.String
}

/** A catalog file exists but cannot be used as it is (unreadable CSV, a legacy column, bad values). */
export class CatalogInvalid
  extends Schema.TaggedError<CatalogInvalid>()("CatalogInvalid", { ...fields, message: Message })
{
  constructor(props: Schema.Struct.Constructor<typeof fields>, options?: Schema.MakeOptions) {
    super(props, options)
    setMessage(this, `catalog ${cut(this.slice)} (${cutLong(this.path)}): ${cutLong(this.reason)}`)
  }
}
