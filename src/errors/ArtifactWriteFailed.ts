import { Schema } from "effect"
import { Message, setMessage } from "./Message.js"

const fields = {
  path: Schema.String,
  cause: Schema.String
}

// The temp files artifacts are written through before being renamed or linked into place:
// `.<name>.<pid>.<hex8>.tmp` (membership, manifest, --out) and `.metadata.json.<pid>.<hex8>-<seq>.tmp`
// (or, of older builds, `.metadata.json.<pid>.<seq>.tmp`).
const TEMP_NAME = /(^|[/\\])\.([^/\\\s'"]+?)\.\d+\.(?:[0-9a-f]{8}(?:-\d+)?|\d+)\.tmp(?![\w.])/g

/** A path or system message with every temp-file name replaced by the name of the file it was to become. */
const finalNames = (text: string): string => text.replace(TEMP_NAME, "$1$2")

/** Writing an artifact failed; nothing at `path` was replaced. Names the artifact's own path, never a temp file's. */
export class ArtifactWriteFailed
  extends Schema.TaggedError<ArtifactWriteFailed>()("ArtifactWriteFailed", { ...fields, message: Message })
{
  constructor(props: Schema.Struct.Constructor<typeof fields>, options?: Schema.MakeOptions) {
    super({ ...props, path: finalNames(props.path), cause: finalNames(props.cause) }, options)
    setMessage(this, `cannot write ${this.path}: ${this.cause}`)
  }
}
