import { Schema } from "effect"
import { formatCount } from "../domain/CountText.js"
import { cut, cutLong, MAX_LISTED } from "../domain/TerminalText.js"
import { Message, setMessage } from "./Message.js"

/**
 * Which rule of the build was broken, for a caller that decides by it (the tag stays
 * `InvalidConstraint`, the one tag the public API documents for all of these):
 * - `cohort-id`: the cohort id cannot name a folder (fix the id);
 * - `build-options`: an option of the build is out of range (e.g. `previewRows`);
 * - `definition-missing`: the spec has no cohort definition;
 * - `definition-entry`: an entry of a definition is invalid, or its draft/essay is not in the definition;
 * - `strict-warnings`: strict mode and the build has warnings (the inputs are usable without `strict`);
 * - `membership-row`: a membership row handed to the store cannot name a generation folder;
 * - `manifest-missing`: the metadata handed to the store carries no manifest.
 */
export const ConstraintKind = Schema.Literal(
  "cohort-id",
  "build-options",
  "definition-missing",
  "definition-entry",
  "strict-warnings",
  "membership-row",
  "manifest-missing"
)
export type ConstraintKind = typeof ConstraintKind.Type

const fields = {
  reason: Schema.String,
  /** Absent only where an embedder made the error without it. */
  constraint: Schema.optional(ConstraintKind),
  cohortId: Schema.optional(Schema.String),
  details: Schema.optional(Schema.Array(Schema.String))
}

/** `; and K more` past the first `MAX_LISTED` details (all stay in the error's `details`). */
const more = (count: number): string => (count > MAX_LISTED ? ` and ${formatCount(count - MAX_LISTED)} more` : "")

/**
 * The inputs are well-formed but violate a rule of the build (no definition, a bad cohort id, strict-mode
 * warnings…).
 */
export class InvalidConstraint
  extends Schema.TaggedError<InvalidConstraint>()("InvalidConstraint", { ...fields, message: Message })
{
  constructor(props: Schema.Struct.Constructor<typeof fields>, options?: Schema.MakeOptions) {
    super(props, options)
    const who = this.cohortId === undefined ? "" : `cohort ${JSON.stringify(cut(this.cohortId))}: `
    const details = this.details === undefined || this.details.length === 0
      ? ""
      : `: ${this.details.slice(0, MAX_LISTED).map(cutLong).join("; ")}${more(this.details.length)}`
    setMessage(this, `${who}${cutLong(this.reason)}${details}`)
  }
}
