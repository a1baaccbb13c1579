import { Schema } from "effect"
import { cut, cutLong, startWithin } from "../domain/TerminalText.js"

const shown = (value: string): string => JSON.stringify(value.length > 120 ? `${startWithin(value, 120)}…` : value)

/**
 * A generation reused by id has no readable `gens/<stage>/<gen_id>/metadata.json` (missing, not JSON,
 * or lacking a field its stage needs); `key` is where the id came from (`rows[3].essay_gen_id`).
 */
export class GenerationMetadataMissing extends Schema.TaggedError<GenerationMetadataMissing>()(
  "GenerationMetadataMissing",
  {
    stage: Schema.String,
    genId: Schema.String,
    path: Schema.String,
    reason: Schema.String,
    key: Schema.optional(Schema.String)
  }
) {
  override get message(): string {
    const from = this.key === undefined ? "" : ` (from ${cut(this.key)})`
    return `${cut(this.stage)} ${shown(this.genId)}${from}: ${cutLong(this.reason)}: ${cutLong(this.path)}`
  }
}
