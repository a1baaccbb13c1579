import { Schema } from "effect"
import { cut, cutLong, listShort, MAX_LISTED } from "../domain/TerminalText.js"
import { Message, setMessage } from "./Message.js"

const Place = Schema.Struct({
  key: Schema.String,
  file: Schema.optional(Schema.String),
  line: Schema.optional(Schema.Number)
})

const fields = {
  stage: Schema.optional(Schema.String),
  field: Schema.String,
  missing: Schema.Array(Schema.String),
  catalog: Schema.optional(Schema.String),
  designField: Schema.optional(Schema.String),
  origins: Schema.optional(Schema.Record({ key: Schema.String, value: Place })),
  suggestions: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String }))
}

/** `axes.essay_template[1]`, or `items/x.csv line 3 (axes.essay_template[2])` for a value from an include. */
const placeText = (place: typeof Place.Type): string =>
  place.file === undefined
    ? cut(place.key)
    : place.line === undefined
    ? `${cut(place.key)} (${cut(place.file)})`
    : `${cut(place.file)} line ${place.line} (${cut(place.key)})`

/**
 * The plan references values that its catalog does not list. `missing` is sorted (and whole; the message
 * cuts it); `catalog` is the catalog file, `designField` the design field the values came from,
 * `origins` where the spec wrote each of the first missing values (its key, and an include's file and
 * line), `suggestions` the closest listed value of each missing one that has a close match. The message
 * cuts every value it echoes (the catalog, a path, at `MAX_LONG_CHARS`; the others at `MAX_LISTED_CHARS`).
 */
export class CoverageGap extends Schema.TaggedError<CoverageGap>()("CoverageGap", { ...fields, message: Message }) {
  constructor(props: Schema.Struct.Constructor<typeof fields>, options?: Schema.MakeOptions) {
    super(props, options)
    const stage = this.stage === undefined ? "" : `${cut(this.stage)} `
    const origins = this.missing.slice(0, MAX_LISTED).flatMap((value) => {
      // Own keys only: a missing value named `constructor` must not find Object.prototype's.
      const place = this.origins !== undefined && Object.hasOwn(this.origins, value) ? this.origins[value] : undefined
      return place === undefined ? [] : [`${cut(value)} at ${placeText(place)}`]
    })
    const where = [
      ...(this.catalog === undefined ? [] : [`catalog ${cutLong(this.catalog)}`]),
      ...(this.designField === undefined ? [] : [`from design field ${cut(this.designField)}`])
    ]
    const suggestions = Object.entries(this.suggestions ?? {}).slice(0, MAX_LISTED)
    const hint = suggestions.length === 0
      ? ""
      : `; did you mean ${suggestions.map(([value, known]) => `"${cut(known)}" for "${cut(value)}"`).join(", ")}?`
    const context = where.length === 0 && origins.length === 0
      ? ""
      : ` (${where.join(", ")}${origins.length === 0 ? "" : `${where.length === 0 ? "" : ": "}${origins.join(", ")}`})`
    setMessage(this, `${stage}${cut(this.field)} not in catalog: ${listShort(this.missing)}${context}${hint}`)
  }
}
