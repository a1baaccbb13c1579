import { HttpLayerRouter, HttpServer, HttpServerError } from "@effect/platform"
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

/** A port node can listen on: a whole number from 0 (any free one) to 65535. */
const isPort = (port: unknown): boolean =>
  typeof port === "number" && Number.isInteger(port) && port >= 0 && port <= 65535
/** A refused port as its message shows it: a number as it is, anything else (a JS caller's "8080") quoted and cut. */
const portShown = (port: unknown): string =>
  typeof port === "number" ? String(port) : JSON.stringify(String(port).slice(0, 40))

/**
 * The service on a Node HTTP server of its own (what `cohort serve` runs): `CohortHttpServer.layer(options)`.
 * Every way of not listening fails with a `ServeError` whose cause says why: a port in use or an address
 * that does not resolve (node's error, with its `code`), or a port outside 0–65535 (a `RangeError` naming
 * it, where node's `listen` would throw and the layer would die).
 */
export const CohortHttpServer = {
  /** The server, listening; its `HttpServer` is output. */
  layer: (
    options: CohortServiceOptions & ListenOptions & { readonly logRequests?: boolean }
  ): Layer.Layer<HttpServer.HttpServer, HttpServerError.ServeError> =>
    options.port != null && !isPort(options.port)
      ? Layer.fail(
        new HttpServerError.ServeError({
          cause: new RangeError(`port must be a whole number from 0 to 65535, not ${portShown(options.port)}`)
        })
      )
      : served(options)
} as const

const served = (options: CohortServiceOptions & ListenOptions & { readonly logRequests?: boolean }) =>
  HttpLayerRouter.serve(routesLayer(options), {
    disableListenLog: true,
    disableLogger: options.logRequests !== true
  })
    .pipe(
      Layer.provideMerge(
        NodeHttpServer.layer(createServer, { host: options.host ?? DEFAULT_HOST, port: options.port ?? 0 })
      )
    )

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
