import { Schema } from "effect"

/** Another build held the cohort's lock for longer than this build would wait (`--wait`). */
export class Locked extends Schema.TaggedError<Locked>()("Locked", {
  path: Schema.String,
  waitedSeconds: Schema.Number,
  pid: Schema.optional(Schema.Number),
  host: Schema.optional(Schema.String),
  since: Schema.optional(Schema.String)
}) {
  override get message(): string {
    const who = this.pid === undefined ? "another build" : `pid ${this.pid} on ${this.host ?? "an unknown host"}`
    const since = this.since === undefined ? "" : ` since ${this.since}`
    return `cohort lock ${this.path} is held by ${who}${since}; gave up after waiting ${this.waitedSeconds} s ` +
      `(a build of this cohort is running: retry later, or wait longer with --wait SECONDS)`
  }
}
