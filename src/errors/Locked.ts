import { Schema } from "effect"
import { Message, setMessage } from "./Message.js"

const fields = {
  path: Schema.String,
  waitedSeconds: Schema.Number,
  pid: Schema.optional(Schema.Number),
  host: Schema.optional(Schema.String),
  since: Schema.optional(Schema.String)
}

/** Another build held the cohort's lock for longer than this build would wait (`--wait`). */
export class Locked extends Schema.TaggedError<Locked>()("Locked", { ...fields, message: Message }) {
  constructor(props: Schema.Struct.Constructor<typeof fields>, options?: Schema.MakeOptions) {
    super(props, options)
    const who = this.pid === undefined ? "another build" : `pid ${this.pid} on ${this.host ?? "an unknown host"}`
    const since = this.since === undefined ? "" : ` since ${this.since}`
    setMessage(
      this,
      `cohort lock ${this.path} is held by ${who}${since}; gave up after waiting ${this.waitedSeconds} s ` +
        `(a build of this cohort is running: retry later, or wait longer with --wait SECONDS)`
    )
  }
}
