import { Schema } from "effect"

/** The cohort has no spec where the repository looks for it. */
export class SpecNotFound extends Schema.TaggedError<SpecNotFound>()("SpecNotFound", {
  cohortId: Schema.String,
  path: Schema.optional(Schema.String)
}) {
  override get message(): string {
    return this.path === undefined
      ? `no spec for cohort "${this.cohortId}"`
      : `no spec for cohort "${this.cohortId}": ${this.path} does not exist`
  }
}
