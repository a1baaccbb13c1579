import { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { STAGES } from "../index.js"
import {
  ArtifactWriteFailedBody,
  CatalogIncompleteBody,
  CatalogInvalidBody,
  CatalogMissingBody,
  CoverageGapBody,
  IdCollisionBody,
  InvalidConstraintBody,
  InvalidSpecBody,
  LockedBody,
  MalformedBodyBody,
  PayloadTooLargeBody,
  ProblemBody,
  SpecNotFoundBody
} from "./HttpErrors.js"

/** The most preview rows one response carries. */
export const MAX_PREVIEW_ROWS = 1000

/** A spec as a JSON object: the mapping a spec file holds (axes, rules, output). */
export const SpecObject = Schema.Record({ key: Schema.String, value: Schema.Unknown }).annotations({
  identifier: "SpecObject",
  description: "A cohort spec as the parsed mapping of its YAML/JSON file; `@file:` includes are refused"
})

const PreviewRows = Schema.NumberFromString.pipe(Schema.int(), Schema.between(0, MAX_PREVIEW_ROWS))
const Seed = Schema.NumberFromString.pipe(Schema.int(), Schema.nonNegative())
const Flag = Schema.BooleanFromString

/** One membership row (the columns of membership.csv). */
export const MembershipRowBody = Schema.Struct({
  stage: Schema.Literal(...STAGES),
  gen_id: Schema.String,
  origin_cohort_id: Schema.String,
  parent_gen_id: Schema.String,
  combo_id: Schema.String,
  template_id: Schema.String,
  llm_model_id: Schema.String,
  /** A number; a replicate beyond 2^31 - 1 (a bigint) is sent as its decimal text. */
  replicate: Schema.Union(Schema.Number, Schema.BigInt)
}).annotations({ identifier: "MembershipRow" })

const Counts = Schema.Struct({ draft: Schema.Number, essay: Schema.Number, evaluation: Schema.Number })

export const SpecValidation = Schema.Struct({
  valid: Schema.Literal(true),
  /** As `cohort validate --json` says it: `ok: true` and no problems (a failure lists them all). */
  ok: Schema.Literal(true),
  problems: Schema.Array(ProblemBody),
  designRows: Schema.Number,
  axes: Schema.Array(Schema.Struct({ name: Schema.String, levels: Schema.Number, derived: Schema.Boolean })),
  fieldOrder: Schema.Array(Schema.String),
  warnings: Schema.Array(Schema.String)
}).annotations({ identifier: "SpecValidation" })

export const SpecPlan = Schema.Struct({
  cohortId: Schema.String,
  designRows: Schema.Number,
  rowCount: Schema.Number,
  counts: Counts,
  collapseCount: Schema.Number,
  warnings: Schema.Array(Schema.String),
  preview: Schema.Array(MembershipRowBody)
}).annotations({ identifier: "SpecPlan" })

export const BuildResultBody = Schema.Struct({
  cohortId: Schema.String,
  rowCount: Schema.Number,
  dryRun: Schema.Boolean,
  membershipPreview: Schema.Array(MembershipRowBody),
  artifacts: Schema.Record({ key: Schema.String, value: Schema.String }),
  metadata: Schema.Record({ key: Schema.String, value: Schema.Unknown })
}).annotations({ identifier: "BuildResult" })

/** A validated cohort: what a dry run returns, with `ok: true` and no problems (a failure lists them all). */
export const ValidationResultBody = Schema.Struct({
  ...BuildResultBody.fields,
  ok: Schema.Literal(true),
  problems: Schema.Array(ProblemBody)
}).annotations({ identifier: "ValidationResult" })

const PlanParams = Schema.Struct({
  cohortId: Schema.String,
  seed: Schema.optional(Seed),
  previewRows: Schema.optional(PreviewRows)
})

export class SpecsGroup extends HttpApiGroup.make("specs")
  .add(
    HttpApiEndpoint.post("validate", "/specs/validate")
      .setPayload(SpecObject)
      .addSuccess(SpecValidation)
      .addError(InvalidSpecBody)
      .annotate(OpenApi.Summary, "Validate a spec object and count its design rows")
  )
  .add(
    HttpApiEndpoint.post("plan", "/specs/plan")
      .setPayload(SpecObject)
      .setUrlParams(PlanParams)
      .addSuccess(SpecPlan)
      .addError(InvalidSpecBody)
      .addError(InvalidConstraintBody)
      .addError(IdCollisionBody)
      .annotate(OpenApi.Summary, "Plan a spec object: counts and a preview of its membership (pure ids, no catalogs)")
  )
  .add(
    HttpApiEndpoint.post("membership", "/specs/membership.csv")
      .setPayload(SpecObject)
      .setUrlParams(PlanParams.omit("previewRows"))
      .addSuccess(HttpApiSchema.Text({ contentType: "text/csv" }))
      .addError(InvalidSpecBody)
      .addError(InvalidConstraintBody)
      .annotate(OpenApi.Summary, "The whole membership of a spec object as CSV, streamed")
  )
  .addError(MalformedBodyBody)
  .addError(PayloadTooLargeBody)
{}

const CohortPath = Schema.Struct({ cohortId: Schema.String })

export class CohortsGroup extends HttpApiGroup.make("cohorts")
  .add(
    HttpApiEndpoint.post("build", "/cohorts/:cohortId/build")
      .setPath(CohortPath)
      .setUrlParams(Schema.Struct({
        dryRun: Schema.optional(Flag),
        strict: Schema.optional(Flag),
        previewRows: Schema.optional(PreviewRows)
      }))
      .addSuccess(BuildResultBody)
      .addError(LockedBody)
      .addError(ArtifactWriteFailedBody)
      .annotate(OpenApi.Summary, "Build a cohort of the data root: write membership.csv, manifest.json and metadata")
  )
  .add(
    HttpApiEndpoint.post("validate", "/cohorts/:cohortId/validate")
      .setPath(CohortPath)
      .addSuccess(ValidationResultBody)
      .annotate(OpenApi.Summary, "Check a cohort as a build would (a strict dry run); writes nothing")
  )
  .addError(SpecNotFoundBody)
  .addError(InvalidSpecBody)
  .addError(InvalidConstraintBody)
  .addError(CoverageGapBody)
  .addError(CatalogMissingBody)
  .addError(CatalogIncompleteBody)
  .addError(CatalogInvalidBody)
  .addError(IdCollisionBody)
{}

/** The cohort service: spec objects (validate, plan, membership CSV) and the cohorts of one data root. */
export class CohortApi extends HttpApi.make("cohort")
  .add(SpecsGroup)
  .add(CohortsGroup)
  .annotate(OpenApi.Title, "cohort-membership-builder")
  .annotate(OpenApi.Version, "0.1.0")
{}
