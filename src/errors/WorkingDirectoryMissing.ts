import { Schema } from "effect"

/** The working directory was deleted under the process, so a relative path cannot be resolved. */
export class WorkingDirectoryMissing extends Schema.TaggedError<WorkingDirectoryMissing>()("WorkingDirectoryMissing", {
  cause: Schema.String
}) {
  override get message(): string {
    return `the working directory no longer exists (${this.cause}); run from an existing folder or give absolute paths`
  }
}
