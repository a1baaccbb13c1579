import { Schema } from "effect"

/** Writing an artifact failed; nothing at `path` was replaced. */
export class ArtifactWriteFailed extends Schema.TaggedError<ArtifactWriteFailed>()("ArtifactWriteFailed", {
  path: Schema.String,
  cause: Schema.String
}) {
  override get message(): string {
    return `cannot write ${this.path}: ${this.cause}`
  }
}
