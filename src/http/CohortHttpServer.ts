import { HttpLayerRouter, type HttpServer, type HttpServerError } from "@effect/platform"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Layer } from "effect"
import { createServer } from "node:http"
import { CohortApi } from "./CohortApi.js"
import { CohortBuildGuard } from "./CohortBuildGuard.js"
import { CohortHandlersLive } from "./CohortHandlers.js"
import { CohortServiceConfig, type CohortServiceOptions } from "./CohortServiceConfig.js"

/** Where the OpenAPI document of the service is served. */
export const OPENAPI_PATH = "/openapi.json"

/**
 * The handlers of `CohortApi`, configured: for a backend that builds its own `HttpApi` with
 * `HttpApi.make("…").addHttpApi(CohortApi)` and serves it through `HttpApiBuilder`.
 */
export const CohortApiHandlers = (options: CohortServiceOptions) =>
  CohortHandlersLive.pipe(Layer.provide(CohortBuildGuard.Default), Layer.provide(CohortServiceConfig.layer(options)))

/**
 * The service's routes (and its OpenAPI document at `/openapi.json`) added to an `HttpLayerRouter`: a
 * backend mounts them beside its own, `HttpLayerRouter.serve(Layer.mergeAll(MyRoutes, CohortHttpRoutes(…)))`.
 */
export const CohortHttpRoutes = (options: CohortServiceOptions) =>
  HttpLayerRouter.addHttpApi(CohortApi, { openapiPath: OPENAPI_PATH }).pipe(Layer.provide(CohortApiHandlers(options)))

/** Where the stand-alone server listens: loopback only unless told otherwise, port 0 for any free one. */
export interface ListenOptions {
  readonly host?: string
  readonly port?: number
}

export const DEFAULT_HOST = "127.0.0.1"

/** The service on a Node HTTP server of its own (what `cohort serve` runs); its `HttpServer` is output. */
export const CohortHttpServer = (
  options: CohortServiceOptions & ListenOptions & { readonly logRequests?: boolean }
): Layer.Layer<HttpServer.HttpServer, HttpServerError.ServeError> =>
  HttpLayerRouter.serve(CohortHttpRoutes(options), { disableListenLog: true, disableLogger: options.logRequests !== true })
    .pipe(Layer.provideMerge(NodeHttpServer.layer(createServer, { host: options.host ?? DEFAULT_HOST, port: options.port ?? 0 })))
