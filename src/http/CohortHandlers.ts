import { HttpApiBuilder, type HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, Either, Layer, Stream } from "effect"
import { validateCohortId } from "../domain/CohortId.js"
import {
  buildCohortMembership,
  type CohortMembershipResult,
  cohortProblems,
  collapseWarnings,
  GenIdHasher,
  InvalidConstraint,
  makeInMemoryRegistry,
  type MembershipRow,
  rowAt,
  streamMembership,
  withFirstProblem
} from "../index.js"
import { CohortApi } from "./CohortApi.js"
import { CohortBuildGuard } from "./CohortBuildGuard.js"
import { CohortServiceConfig } from "./CohortServiceConfig.js"
import { type ProblemBody, problemOf, toErrorBody, withProblems } from "./HttpErrors.js"
import { membershipCsv } from "./MembershipCsv.js"
import { readJsonBody } from "./RequestBody.js"
import { compileSpecObject, specObjectProblems } from "./SpecObject.js"

const DEFAULT_PREVIEW_ROWS = 20

/** The failure of a strict run that has warnings (each warning in `details`). */
const isStrictWarnings = (error: { readonly _tag: string }): error is InvalidConstraint =>
  error instanceof InvalidConstraint && error.constraint === "strict-warnings" && error.details !== undefined

const checkedCohortId = (cohortId: string) => {
  return Effect.as(validateCohortId(cohortId), cohortId)
}

/** The spec object of a request, compiled under the service's row cap. */
const specOfRequest = (request: HttpServerRequest.HttpServerRequest, seed?: number) =>
  Effect.gen(function*() {
    const config = yield* CohortServiceConfig
    const data = yield* readJsonBody(request, config.maxBodyBytes)
    return yield* Effect.mapError(compileSpecObject(data, { maxRows: config.maxRows, seed }), toErrorBody)
  })

export const SpecsLive = HttpApiBuilder.group(CohortApi, "specs", (handlers) =>
  handlers
    .handleRaw("validate", ({ request }) =>
      Effect.gen(function*() {
        const config = yield* CohortServiceConfig
        const data = yield* readJsonBody(request, config.maxBodyBytes).pipe(
          Effect.mapError((e) => withProblems(e, [{ severity: "error", ...e }]))
        )
        const compiled = yield* Effect.either(compileSpecObject(data, { maxRows: config.maxRows }))
        if (Either.isLeft(compiled)) {
          const first = compiled.left
          const problems = withFirstProblem(first, yield* specObjectProblems(data))
          return yield* Effect.fail(withProblems(toErrorBody(first), problems.map(problemOf)))
        }
        const { design, spec } = compiled.right
        return {
          valid: true as const,
          ok: true as const,
          problems: [],
          designRows: design.size,
          axes: spec.axes.map((a) => ({ name: a.name, levels: a.levels.length, derived: a.derived })),
          fieldOrder: [...spec.fieldOrder],
          warnings: [...design.layout.warnings]
        }
      }))
    .handleRaw("plan", ({ request, urlParams }) =>
      Effect.gen(function*() {
        const cohortId = yield* Effect.mapError(checkedCohortId(urlParams.cohortId), toErrorBody)
        const { definition, design } = yield* specOfRequest(request, urlParams.seed)
        const wanted = urlParams.previewRows ?? DEFAULT_PREVIEW_ROWS
        const preview: Array<MembershipRow> = []
        const registry = yield* makeInMemoryRegistry
        const { rows, summary } = yield* streamMembership(definition, cohortId, registry, (batch) =>
          Effect.sync(() => {
            for (let i = 0; i < batch.genId.length && preview.length < wanted; i++) preview.push(rowAt(batch, i))
          })).pipe(Effect.mapError(toErrorBody))
        const { counts } = summary
        return {
          cohortId,
          designRows: design.size,
          rowCount: counts.draft + counts.essay + counts.evaluation,
          counts,
          collapseCount: summary.collapseCount,
          warnings: [...design.layout.warnings, ...collapseWarnings(rows)],
          preview
        }
      }))
    .handleRaw("membership", ({ request, urlParams }) =>
      Effect.gen(function*() {
        const cohortId = yield* Effect.mapError(checkedCohortId(urlParams.cohortId), toErrorBody)
        const { definition } = yield* specOfRequest(request, urlParams.seed)
        const registry = yield* makeInMemoryRegistry
        const hasher = yield* GenIdHasher
        const body = membershipCsv(definition, cohortId, registry, hasher)
        return HttpServerResponse.stream(Stream.orDie(body), {
          contentType: "text/csv; charset=utf-8",
          headers: { "content-disposition": `attachment; filename="membership.csv"` }
        })
      })))

const resultBody = (result: CohortMembershipResult, dryRun: boolean) => ({
  cohortId: result.cohortId,
  rowCount: result.rowCount,
  dryRun,
  membershipPreview: result.membershipPreview.objects() as Array<MembershipRow>,
  artifacts: result.artifacts,
  metadata: result.metadata
})

export const CohortsLive = HttpApiBuilder.group(CohortApi, "cohorts", (handlers) =>
  Effect.gen(function*() {
    const config = yield* CohortServiceConfig
    const guard = yield* CohortBuildGuard
    return handlers
      .handle("build", ({ path, urlParams }) => {
        const dryRun = urlParams.dryRun === true
        const build = buildCohortMembership(path.cohortId, {
          dryRun,
          strict: urlParams.strict === true,
          previewRows: urlParams.previewRows ?? DEFAULT_PREVIEW_ROWS
        }).pipe(Effect.provide(config.services), Effect.mapError(toErrorBody))
        // A dry run writes nothing, so it need not wait for (or hold off) a build of the same cohort.
        return Effect.map(dryRun ? build : guard.exclusive(path.cohortId, build), (r) => resultBody(r, dryRun))
      })
      .handle("validate", ({ path }) =>
        Effect.gen(function*() {
          const outcome = yield* Effect.either(
            buildCohortMembership(path.cohortId, { dryRun: true, strict: true, previewRows: 0 }).pipe(
              // A dry run persists nothing and takes no lock: neither a write failure nor a lock can happen here.
              Effect.catchTags({ ArtifactWriteFailed: (e) => Effect.die(e), Locked: (e) => Effect.die(e) })
            )
          )
          if (Either.isRight(outcome)) return { ...resultBody(outcome.right, true), ok: true as const, problems: [] }
          // Every problem, as `cohort validate --json` lists them: the strict run's warnings, else the error
          // that stopped it and every independent problem beside it.
          const first = outcome.left
          const problems: Array<typeof ProblemBody.Type> = isStrictWarnings(first)
            ? first.details!.map((message) => ({ severity: "warning", message }))
            : (yield* cohortProblems(path.cohortId, first)).map(problemOf)
          return yield* Effect.fail(withProblems(toErrorBody(first), problems))
        }).pipe(Effect.provide(config.services)))
  }))

/** Every handler of the API: `CohortHandlers.layer`, needing the service's configuration and build guard. */
export const CohortHandlers = {
  /** Both groups' handlers. */
  layer: Layer.mergeAll(SpecsLive, CohortsLive)
} as const
