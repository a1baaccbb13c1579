import { HttpServer } from "@effect/platform"
import { Context, Effect, Layer } from "effect"
import { CohortHttpServer, type CohortServiceOptions } from "../../src/http/index.js"

/** The service on an ephemeral loopback port for the scope; its base URL. */
export const startService = (options: CohortServiceOptions) =>
  Effect.gen(function*() {
    const context = yield* Layer.build(CohortHttpServer.layer({ ...options, port: 0 }))
    const address = Context.get(context, HttpServer.HttpServer).address
    if (address._tag !== "TcpAddress") return yield* Effect.dieMessage("the service is not on TCP")
    return `http://127.0.0.1:${address.port}`
  })

export interface Reply {
  readonly status: number
  readonly contentType: string
  readonly text: string
  readonly json: any
}

/** One request with Node's fetch, its whole reply read (bounded by the test's own data). */
export const request = (url: string, init: RequestInit = {}): Effect.Effect<Reply> =>
  Effect.promise(async () => {
    const response = await fetch(url, { method: "POST", ...init })
    const text = await response.text()
    let json: unknown = undefined
    try {
      json = JSON.parse(text)
    } catch {
      // not JSON (CSV)
    }
    return { status: response.status, contentType: response.headers.get("content-type") ?? "", text, json }
  })

export const postJson = (url: string, body: unknown): Effect.Effect<Reply> =>
  request(url, { headers: { "content-type": "application/json" }, body: JSON.stringify(body) })

/** The example cohort's spec with its two includes written inline (a spec object has no folder). */
export const pilotSpecObject = {
  axes: {
    combo_id: ["combo_v1_080599e679b7", "combo_v1_30f69dca1719", "combo_v1_97fc7bce7e33", "combo_v1_965400158462"],
    draft_template: ["creative-synthesis-v10", "deliberate-rolling-thread-v3", "recursive-light"],
    draft_llm: ["gemini_25_pro", "deepseek_r1_p"],
    evaluation_template: ["daydreaming-verification-v3", "novelty-v2"],
    evaluation_llm: ["sonnet-4", "gemini_25_pro"],
    evaluation_replicate: ["1", "2"]
  },
  rules: {
    subsets: { draft_template: ["creative-synthesis-v10", "deliberate-rolling-thread-v3"] },
    tuples: {
      essay_bundle: {
        axes: ["essay_template", "essay_llm"],
        items: [
          ["creative-synthesis-v10", "gemini_25_pro"],
          ["synthesis-theme-narrative-v19", "sonnet-4"],
          ["parsed-from-links-v1", "sonnet-4"]
        ]
      }
    },
    pairs: {
      draft_essay: {
        left: "draft_template",
        right: "essay_bundle",
        allowed: [
          ["creative-synthesis-v10", ["creative-synthesis-v10", "gemini_25_pro"]],
          ["deliberate-rolling-thread-v3", ["synthesis-theme-narrative-v19", "sonnet-4"]],
          ["deliberate-rolling-thread-v3", ["parsed-from-links-v1", "sonnet-4"]]
        ]
      }
    }
  },
  output: {
    field_order: [
      "combo_id",
      "draft_template",
      "draft_llm",
      "essay_template",
      "essay_llm",
      "evaluation_template",
      "evaluation_llm",
      "evaluation_replicate"
    ]
  }
}
