import {
  HttpApi,
  HttpApiBuilder,
  HttpApiEndpoint,
  HttpApiGroup,
  HttpLayerRouter,
  HttpServer,
  HttpServerResponse
} from "@effect/platform"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Schema } from "effect"
import { createServer } from "node:http"
import { CohortApi, CohortApiHandlers, CohortHttpRoutes } from "../../src/http/index.js"
import { copyExampleDataRoot } from "../support/DataRoots.js"
import { pilotSpecObject, postJson } from "./Service.js"

/** A served layer's base URL on an ephemeral loopback port, for the scope. */
const urlOf = <E, R>(served: Layer.Layer<never, E, R>) =>
  Effect.gen(function*() {
    const context = yield* Layer.build(
      Layer.provideMerge(served, NodeHttpServer.layer(createServer, { host: "127.0.0.1", port: 0 }))
    )
    const address = Context.get(context, HttpServer.HttpServer).address
    return address._tag === "TcpAddress" ? `http://127.0.0.1:${address.port}` : address.path
  })

const withRoot = <A, E>(f: (root: string) => Effect.Effect<A, E>) =>
  Effect.acquireUseRelease(
    Effect.sync(copyExampleDataRoot),
    ({ root }) => f(root),
    ({ cleanup }) => Effect.sync(cleanup)
  )

describe("mounting the service in an existing backend", () => {
  it.live("beside the backend's own routes on an HttpLayerRouter (the README's example)", () =>
    withRoot((root) =>
      Effect.gen(function*() {
        const Health = HttpLayerRouter.add("GET", "/health", HttpServerResponse.text("ok"))
        const url = yield* urlOf(
          HttpLayerRouter.serve(Layer.mergeAll(Health, CohortHttpRoutes.layer({ dataRoot: root })))
        )
        const health = yield* Effect.promise(() => fetch(`${url}/health`).then((r) => r.text()))
        expect(health).toBe("ok")
        const valid = yield* postJson(`${url}/specs/validate`, pilotSpecObject)
        expect(valid.status).toBe(200)
        const built = yield* postJson(`${url}/cohorts/daydream-pilot/build?dryRun=true`, undefined)
        expect(built.json).toMatchObject({ rowCount: 232, dryRun: true })
      }).pipe(Effect.scoped)
    ))

  it.live("beside the backend's own HttpApi, both added to one HttpLayerRouter", () =>
    withRoot((root) =>
      Effect.gen(function*() {
        class Backend extends HttpApi.make("backend")
          .add(HttpApiGroup.make("health").add(HttpApiEndpoint.get("health", "/health").addSuccess(Schema.String)))
        {}
        const HealthLive = HttpApiBuilder.group(
          Backend,
          "health",
          (h) => h.handle("health", () => Effect.succeed("ok"))
        )
        const BackendRoutes = HttpLayerRouter.addHttpApi(Backend).pipe(Layer.provide(HealthLive))
        const url = yield* urlOf(
          HttpLayerRouter.serve(Layer.mergeAll(BackendRoutes, CohortHttpRoutes.layer({ dataRoot: root, maxRows: 100 })))
        )
        const health = yield* Effect.promise(() => fetch(`${url}/health`).then((r) => r.json()))
        expect(health).toBe("ok")
        // The service's own settings apply: its row cap is 100.
        const capped = yield* postJson(`${url}/specs/validate`, pilotSpecObject)
        expect(capped.status).toBe(422)
        expect(capped.json._tag).toBe("InvalidSpec")
        const spec = yield* Effect.promise(() => fetch(`${url}/openapi.json`).then((r) => r.json() as Promise<any>))
        expect(Object.keys(spec.paths)).toContain("/specs/plan")
      }).pipe(Effect.scoped)
    ))

  it.live("CohortApi served through HttpApiBuilder with its configured handlers", () =>
    withRoot((root) =>
      Effect.gen(function*() {
        const ApiLive = HttpApiBuilder.api(CohortApi).pipe(Layer.provide(CohortApiHandlers.layer({ dataRoot: root })))
        const url = yield* urlOf(HttpApiBuilder.serve().pipe(Layer.provide(ApiLive)))
        const missing = yield* postJson(`${url}/cohorts/nope/validate`, undefined)
        expect(missing.status).toBe(404)
        expect(missing.json._tag).toBe("SpecNotFound")
      }).pipe(Effect.scoped)
    ))
})
