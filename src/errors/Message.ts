import { Schema } from "effect"

/**
 * The `message` field of every error of this package. It is part of the schema, so the sentence survives
 * `Schema.encode` (an HttpApi error body) and `JSON.stringify`; the constructor fills it from the other
 * fields, replacing any value given or decoded.
 */
export const Message = Schema.optionalWith(Schema.String, { default: () => "" })

/** Sets an error's `message` to its sentence: an own, enumerable, read-only property. */
export const setMessage = (error: Error, sentence: string): void => {
  Object.defineProperty(error, "message", { value: sentence, enumerable: true, writable: false, configurable: true })
}
