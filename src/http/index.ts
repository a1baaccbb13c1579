/**
 * The HTTP service, `cohort-membership-builder/http`: an `@effect/platform` HttpApi over spec objects and
 * a data root's cohorts. A separate entry point, so that the library's own import stays free of the HTTP
 * stack.
 */

/** The API (its groups, endpoints and bodies): what a backend's client or OpenAPI tooling reads. */
export {
  BuildResultBody,
  CohortApi,
  CohortsGroup,
  MAX_PREVIEW_ROWS,
  MembershipRowBody,
  SpecObject,
  SpecPlan,
  SpecsGroup,
  SpecValidation
} from "./CohortApi.js"
/** One build of a cohort at a time within a service: a second one gets 409 `Locked` at once. */
export { CohortBuildGuard } from "./CohortBuildGuard.js"
/** The handlers of both groups (`CohortHandlers.layer`), needing `CohortServiceConfig` and `CohortBuildGuard`. */
export { CohortHandlers } from "./CohortHandlers.js"
/**
 * The handlers configured (`CohortApiHandlers.layer(options)`), the routes to mount beside a backend's own
 * (`CohortHttpRoutes.layer(options)`), and a stand-alone server (`CohortHttpServer.layer(options)`).
 */
export {
  CohortApiHandlers,
  CohortHttpRoutes,
  CohortHttpServer,
  OPENAPI_PATH,
  runCohortHttpServer
} from "./CohortHttpServer.js"
/** What the service builds over (a data root, or layers of the embedder's own) and its caps. */
export { type CohortBuildServices, CohortServiceConfig, type CohortServiceOptions } from "./CohortServiceConfig.js"
/** The status and body of every error the service answers with. */
export { ERROR_STATUS, type ErrorBodies, type ErrorBody, toErrorBody } from "./HttpErrors.js"
/** Where the stand-alone server listens. */
export type { ListenOptions } from "./Listen.js"
/** The service's defaults: loopback only, request bodies up to 1 MiB. */
export { DEFAULT_HOST, DEFAULT_MAX_BODY_BYTES } from "./ServiceDefaults.js"
