import { Schema } from "effect"
import { cut, cutLong } from "../domain/TerminalText.js"
import { Message, setMessage } from "./Message.js"

const fields = {
  path: Schema.String,
  waitedSeconds: Schema.Number,
  pid: Schema.optional(Schema.Number),
  host: Schema.optional(Schema.String),
  since: Schema.optional(Schema.String),
  /** The lock was this build's and was taken over (0 s waited): the build committed nothing. */
  takenOver: Schema.optional(Schema.Boolean)
}

/**
 * Another build held the cohort's lock for longer than this build would wait (`--wait`), or took it over
 * from this build (`takenOver`: its heartbeat had stopped, so it looked dead) before this build committed.
 */
export class Locked extends Schema.TaggedError<Locked>()("Locked", { ...fields, message: Message }) {
  constructor(props: Schema.Struct.Constructor<typeof fields>, options?: Schema.MakeOptions) {
    super(props, options)
    const who = this.pid === undefined ? "another build" : `pid ${this.pid} on ${cut(this.host ?? "an unknown host")}`
    const since = this.since === undefined ? "" : ` since ${cut(this.since)}`
    const lock = `cohort lock ${cutLong(this.path)}`
    setMessage(
      this,
      this.takenOver === true
        ? `${lock} was taken over by ${who}${since} before this build committed (its heartbeat had stopped, ` +
          `so it looked dead); nothing was committed: build again once that one has finished`
        : `${lock} is held by ${who}${since}; gave up after waiting ${this.waitedSeconds} s ` +
          `(a build of this cohort is running: retry later, or wait longer with --wait SECONDS)`
    )
  }
}
