import { HttpLayerRouter, HttpServer, type HttpServerError } from "@effect/platform"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Console, Context, Effect, Layer } from "effect"
import { createServer } from "node:http"
import { CohortApi } from "./CohortApi.js"
import { CohortBuildGuard } from "./CohortBuildGuard.js"
import { CohortHandlers } from "./CohortHandlers.js"
import { CohortServiceConfig, type CohortServiceOptions } from "./CohortServiceConfig.js"
import type { ListenOptions } from "./Listen.js"
import { DEFAULT_HOST } from "./ServiceDefaults.js"

/** Where the OpenAPI document of the service is served. */
export const OPENAPI_PATH = "/openapi.json"

const apiHandlersLayer = (options: CohortServiceOptions) =>
  CohortHandlers.layer.pipe(
    Layer.provide(CohortBuildGuard.Default),
    Layer.provide(CohortServiceConfig.layer(options))
  )

/**
 * The handlers of `CohortApi`, configured (`CohortApiHandlers.layer(options)`): for serving `CohortApi`
 * itself through `HttpApiBuilder.api` (`CohortHttpRoutes` is the same on an `HttpLayerRouter`).
 */
export const CohortApiHandlers: {
  /** @deprecated Use `CohortApiHandlers.layer(options)`. */
  (options: CohortServiceOptions): ReturnType<typeof apiHandlersLayer>
  /** The configured handlers. */
  readonly layer: typeof apiHandlersLayer
} = Object.assign((options: CohortServiceOptions) => apiHandlersLayer(options), { layer: apiHandlersLayer })

const routesLayer = (options: CohortServiceOptions) =>
  HttpLayerRouter.addHttpApi(CohortApi, { openapiPath: OPENAPI_PATH }).pipe(
    Layer.provide(apiHandlersLayer(options))
  )

/**
 * The service's routes (and its OpenAPI document at `/openapi.json`) added to an `HttpLayerRouter`, as
 * `CohortHttpRoutes.layer(options)`: a backend mounts them beside its own,
 * `HttpLayerRouter.serve(Layer.mergeAll(MyRoutes, CohortHttpRoutes.layer(…)))`.
 */
export const CohortHttpRoutes: {
  /** @deprecated Use `CohortHttpRoutes.layer(options)`. */
  (options: CohortServiceOptions): ReturnType<typeof routesLayer>
  /** The routes over this configuration. */
  readonly layer: typeof routesLayer
} = Object.assign((options: CohortServiceOptions) => routesLayer(options), { layer: routesLayer })

/** The service on a Node HTTP server of its own (what `cohort serve` runs): `CohortHttpServer.layer(options)`. */
export const CohortHttpServer = {
  /** The server, listening; its `HttpServer` is output. */
  layer: (
    options: CohortServiceOptions & ListenOptions & { readonly logRequests?: boolean }
  ): Layer.Layer<HttpServer.HttpServer, HttpServerError.ServeError> =>
    HttpLayerRouter.serve(routesLayer(options), {
      disableListenLog: true,
      disableLogger: options.logRequests !== true
    })
      .pipe(
        Layer.provideMerge(
          NodeHttpServer.layer(createServer, { host: options.host ?? DEFAULT_HOST, port: options.port ?? 0 })
        )
      )
} as const

/**
 * Runs the stand-alone service until interrupted, after printing where it listens (one line on stdout,
 * `cohort service listening on http://HOST:PORT`): what `cohort serve` does.
 */
export const runCohortHttpServer = (options: CohortServiceOptions & ListenOptions) =>
  Effect.scoped(Effect.gen(function*() {
    const context = yield* Layer.build(CohortHttpServer.layer({ ...options, logRequests: true }))
    const address = Context.get(context, HttpServer.HttpServer).address
    const where = address._tag === "TcpAddress" ? `http://${hostOf(address.hostname)}:${address.port}` : address.path
    yield* Console.log(`cohort service listening on ${where} (data root ${options.dataRoot})`)
    return yield* Effect.never
  }))

const hostOf = (hostname: string): string => (hostname.includes(":") ? `[${hostname}]` : hostname)
