import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"
import { startWithin } from "../domain/TerminalText.js"
import {
  ArtifactWriteFailed,
  CatalogIncomplete,
  CatalogInvalid,
  CatalogMissing,
  CoverageGap,
  escapeControls,
  IdCollision,
  InvalidConstraint,
  InvalidSpec,
  SpecNotFound
} from "../index.js"

/**
 * The HTTP status of each error tag. The request is at fault (422), the cohort is missing (404), the
 * data root is in a state the request conflicts with (409), or the server failed (500).
 */
export const ERROR_STATUS = {
  InvalidSpec: 422,
  InvalidConstraint: 422,
  CoverageGap: 422,
  SpecNotFound: 404,
  CatalogMissing: 409,
  CatalogIncomplete: 409,
  CatalogInvalid: 409,
  IdCollision: 409,
  Locked: 409,
  MalformedBody: 400,
  PayloadTooLarge: 413,
  ArtifactWriteFailed: 500
} as const

type Tag = keyof typeof ERROR_STATUS

/**
 * One problem a validate endpoint found, as `cohort validate --json` lists it: an error (its tag, fields
 * and sentence) or a warning (its sentence).
 */
export const ProblemBody = Schema.Struct(
  { severity: Schema.Literal("error", "warning"), _tag: Schema.optional(Schema.String), message: Schema.String },
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
).annotations({ identifier: "Problem" })

/**
 * An error body: the error's tag, its fields, and its sentence (`message`), with the tag's status. From
 * a validate endpoint it also carries `ok: false` and every problem found (this error among them).
 */
const body = <const T extends Tag, F extends Schema.Struct.Fields>(tag: T, fields: F) =>
  Schema.Struct({
    ...fields,
    _tag: Schema.Literal(tag),
    message: Schema.String,
    ok: Schema.optional(Schema.Literal(false)),
    problems: Schema.optional(Schema.Array(ProblemBody))
  }).annotations(
    HttpApiSchema.annotations({ status: ERROR_STATUS[tag], identifier: `${tag}Error` })
  )

const domain = <const T extends Tag, F extends Schema.Struct.Fields>(
  cls: { readonly _tag: T; readonly fields: F }
) => {
  const { _tag: _, ...fields } = cls.fields as F & { readonly _tag: unknown }
  return body(cls._tag, fields as Omit<F, "_tag">)
}

export const InvalidSpecBody = domain(InvalidSpec)
export const InvalidConstraintBody = domain(InvalidConstraint)
export const CoverageGapBody = domain(CoverageGap)
export const SpecNotFoundBody = domain(SpecNotFound)
export const CatalogMissingBody = domain(CatalogMissing)
export const CatalogIncompleteBody = domain(CatalogIncomplete)
export const CatalogInvalidBody = domain(CatalogInvalid)
export const IdCollisionBody = domain(IdCollision)
export const ArtifactWriteFailedBody = domain(ArtifactWriteFailed)
/** Another build of the cohort is running; try again when it has finished. */
export const LockedBody = body("Locked", {
  cohortId: Schema.optional(Schema.String),
  path: Schema.optional(Schema.String),
  waitedSeconds: Schema.optional(Schema.Number),
  pid: Schema.optional(Schema.Number),
  host: Schema.optional(Schema.String),
  since: Schema.optional(Schema.String),
  takenOver: Schema.optional(Schema.Boolean)
})
/** The request body is not a JSON document. */
export const MalformedBodyBody = body("MalformedBody", {})
/** The request body is larger than the service accepts. */
export const PayloadTooLargeBody = body("PayloadTooLarge", { limitBytes: Schema.Number })

/** The body of each error tag. */
export interface ErrorBodies {
  readonly InvalidSpec: typeof InvalidSpecBody.Type
  readonly InvalidConstraint: typeof InvalidConstraintBody.Type
  readonly CoverageGap: typeof CoverageGapBody.Type
  readonly SpecNotFound: typeof SpecNotFoundBody.Type
  readonly CatalogMissing: typeof CatalogMissingBody.Type
  readonly CatalogIncomplete: typeof CatalogIncompleteBody.Type
  readonly CatalogInvalid: typeof CatalogInvalidBody.Type
  readonly IdCollision: typeof IdCollisionBody.Type
  readonly ArtifactWriteFailed: typeof ArtifactWriteFailedBody.Type
  readonly Locked: typeof LockedBody.Type
  readonly MalformedBody: typeof MalformedBodyBody.Type
  readonly PayloadTooLarge: typeof PayloadTooLargeBody.Type
}

/** What any error of the service looks like on the wire. */
export type ErrorBody = ErrorBodies[Tag]

/**
 * A failure of ours (a tagged error with a sentence) as its body: its fields, its tag and its message.
 * A tag the service has no body for is a defect, never a silent 500 with an empty body.
 */
export const toErrorBody = <E extends { readonly _tag: string; readonly message: string }>(
  error: E
): ErrorBodies[E["_tag"] & Tag] => {
  if (!(error._tag in ERROR_STATUS)) {
    // A defect is printed as it is: what it echoes is escaped and bounded.
    const shown = escapeControls(`${error._tag}: ${startWithin(error.message, 200)}`)
    throw new Error(`no HTTP status for error ${shown}`)
  }
  const out: Record<string, unknown> = {}
  // Own names, not entries: an error's `cause` field is not enumerable.
  for (const key of Object.getOwnPropertyNames(error)) {
    if (key !== "stack") out[key] = (error as Record<string, unknown>)[key]
  }
  out["_tag"] = error._tag
  out["message"] = error.message
  return out as unknown as ErrorBodies[E["_tag"] & Tag]
}

/** An error body as a validate endpoint sends it: the error, `ok: false`, and every problem found. */
export const withProblems = <B extends ErrorBody>(
  first: B,
  problems: ReadonlyArray<typeof ProblemBody.Type>
): B => ({ ...first, ok: false, problems: [...problems] })

/** An error of ours as one problem of a validate endpoint's list. */
export const problemOf = <E extends { readonly _tag: string; readonly message: string }>(
  error: E
): typeof ProblemBody.Type => ({ severity: "error", ...(toErrorBody(error) as { readonly message: string }) })
