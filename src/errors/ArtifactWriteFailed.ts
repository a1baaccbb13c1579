import { Schema } from "effect"
import { TEMP_FILE_NAMES_IN_TEXT } from "../domain/TempFileName.js"
import { cutLong } from "../domain/TerminalText.js"
import { Message, setMessage } from "./Message.js"

const fields = {
  path: Schema.String,
  cause: Schema.String
}

/**
 * A path or system message with every temp-file name (domain/TempFileName.ts: artifacts are written
 * through them) replaced by the name of the file it was to become.
 */
const finalNames = (text: string): string => text.replace(TEMP_FILE_NAMES_IN_TEXT, "$1$2")

/** Writing an artifact failed; nothing at `path` was replaced. Names the artifact's own path, never a temp file's. */
export class ArtifactWriteFailed
  extends Schema.TaggedError<ArtifactWriteFailed>()("ArtifactWriteFailed", { ...fields, message: Message })
{
  constructor(props: Schema.Struct.Constructor<typeof fields>, options?: Schema.MakeOptions) {
    super({ ...props, path: finalNames(props.path), cause: finalNames(props.cause) }, options)
    setMessage(this, `cannot write ${cutLong(this.path)}: ${cutLong(this.cause)}`)
  }
}
