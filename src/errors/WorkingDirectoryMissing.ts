import { Schema } from "effect"
import { cutLong } from "../domain/TerminalText.js"
import { Message, setMessage } from "./Message.js"

const fields = { cause: Schema.String }

/** The working directory was deleted under the process, so a relative path cannot be resolved. */
export class WorkingDirectoryMissing extends Schema.TaggedError<WorkingDirectoryMissing>()("WorkingDirectoryMissing", {
  ...fields,
  message: Message
}) {
  constructor(props: Schema.Struct.Constructor<typeof fields>, options?: Schema.MakeOptions) {
    super(props, options)
    setMessage(
      this,
      `the working directory no longer exists (${cutLong(this.cause)}); ` +
        "run from an existing folder or give absolute paths"
    )
  }
}
