import { Schema } from "effect"

/** Every candidate id for a signature is taken by a generation with another signature. */
export class IdCollision extends Schema.TaggedError<IdCollision>()("IdCollision", {
  stage: Schema.String,
  signature: Schema.String,
  attempts: Schema.optional(Schema.Array(Schema.String))
}) {
  override get message(): string {
    const tried = this.attempts === undefined ? "" : ` (tried ${this.attempts.join(", ")})`
    return `${this.stage} id collision: no free id for signature ${this.signature}${tried}`
  }
}
