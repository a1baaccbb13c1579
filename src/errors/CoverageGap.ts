import { Schema } from "effect"
import { listShort } from "../domain/TerminalText.js"
import { Message, setMessage } from "./Message.js"

const fields = {
  stage: Schema.optional(Schema.String),
  field: Schema.String,
  missing: Schema.Array(Schema.String),
  catalog: Schema.optional(Schema.String),
  designField: Schema.optional(Schema.String),
  suggestions: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String }))
}

/**
 * The plan references values that its catalog does not list. `missing` is sorted (and whole; the message
 * cuts it); `catalog` is the catalog file, `designField` the design field the values came from,
 * `suggestions` the closest listed value of each missing one that has a close match.
 */
export class CoverageGap extends Schema.TaggedError<CoverageGap>()("CoverageGap", { ...fields, message: Message }) {
  constructor(props: Schema.Struct.Constructor<typeof fields>, options?: Schema.MakeOptions) {
    super(props, options)
    const stage = this.stage === undefined ? "" : `${this.stage} `
    const where = [
      ...(this.catalog === undefined ? [] : [`catalog ${this.catalog}`]),
      ...(this.designField === undefined ? [] : [`from design field ${this.designField}`])
    ]
    const suggestions = Object.entries(this.suggestions ?? {})
    const hint = suggestions.length === 0
      ? ""
      : `; did you mean ${suggestions.map(([value, known]) => `"${known}" for "${value}"`).join(", ")}?`
    const context = where.length === 0 ? "" : ` (${where.join(", ")})`
    setMessage(this, `${stage}${this.field} not in catalog: ${listShort(this.missing)}${context}${hint}`)
  }
}
