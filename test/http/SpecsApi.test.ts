import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import { copyExampleDataRoot } from "../support/DataRoots.js"
import { fixturePath } from "../support/Fixtures.js"
import { pilotSpecObject, postJson, request, startService } from "./Service.js"

const withService = <A, E>(
  f: (url: string) => Effect.Effect<A, E>,
  options: { maxRows?: number; maxBodyBytes?: number } = {}
) =>
  Effect.acquireUseRelease(
    Effect.sync(copyExampleDataRoot),
    ({ root }) => Effect.scoped(Effect.flatMap(startService({ dataRoot: root, ...options }), f)),
    ({ cleanup }) => Effect.sync(cleanup)
  )

describe("POST /specs/validate", () => {
  it.live("a spec object validates with its design size and axes", () =>
    withService((url) =>
      Effect.gen(function*() {
        const reply = yield* postJson(`${url}/specs/validate`, pilotSpecObject)
        expect(reply.status).toBe(200)
        expect(reply.json.valid).toBe(true)
        expect(reply.json.designRows).toBe(192)
        expect(reply.json.axes.map((a: { name: string }) => a.name)).toContain("essay_template")
        expect(reply.json.warnings).toEqual([])
      })
    ))

  it.live("an @file: include is refused as InvalidSpec (422) naming its key, in axes and in rules", () =>
    withService((url) =>
      Effect.gen(function*() {
        const inAxes = yield* postJson(`${url}/specs/validate`, {
          ...pilotSpecObject,
          axes: { ...pilotSpecObject.axes, combo_id: "@file:items/combos.csv" }
        })
        expect(inAxes.status).toBe(422)
        expect(inAxes.json._tag).toBe("InvalidSpec")
        expect(inAxes.json.key).toBe("axes.combo_id")
        expect(inAxes.json.message).toMatch(/no folder.*@file:/)
        const inPairs = yield* postJson(`${url}/specs/validate`, {
          ...pilotSpecObject,
          rules: {
            ...pilotSpecObject.rules,
            pairs: { draft_essay: { ...pilotSpecObject.rules.pairs.draft_essay, allowed: "@file:../../../etc/hosts" } }
          }
        })
        expect(inPairs.status).toBe(422)
        expect(inPairs.json.key).toBe("rules.pairs.draft_essay.allowed")
      })
    ))

  it.live("a malformed spec is InvalidSpec (422) with its key and sentence", () =>
    withService((url) =>
      Effect.gen(function*() {
        const reply = yield* postJson(`${url}/specs/validate`, { ...pilotSpecObject, outptu: {} })
        expect(reply.status).toBe(422)
        expect(reply.json).toMatchObject({
          _tag: "InvalidSpec",
          path: "<request body>",
          key: "outptu",
          reason: "unknown key"
        })
        expect(reply.json.message).toContain("outptu: unknown key")
        const notMapping = yield* postJson(`${url}/specs/validate`, [1, 2])
        expect(notMapping.status).toBe(422)
        expect(notMapping.json.reason).toBe("the top level must be a mapping")
      })
    ))

  it.live("malformed JSON and an empty body are MalformedBody (400)", () =>
    withService((url) =>
      Effect.gen(function*() {
        for (const body of ["{\"axes\": ", "not json", ""]) {
          const reply = yield* request(`${url}/specs/validate`, {
            headers: { "content-type": "application/json" },
            body
          })
          expect(reply.status).toBe(400)
          expect(reply.json._tag).toBe("MalformedBody")
          expect(reply.json.message).toMatch(/^the request body /)
        }
        const notUtf8 = yield* request(`${url}/specs/validate`, { body: new Uint8Array([0x7b, 0xff, 0x7d]) })
        expect(notUtf8.status).toBe(400)
        expect(notUtf8.json.message).toBe("the request body is not UTF-8")
      })
    ))

  it.live("a body over the cap is PayloadTooLarge (413), with or without a Content-Length", () =>
    withService((url) =>
      Effect.gen(function*() {
        const big = JSON.stringify({ ...pilotSpecObject, pad: "x".repeat(8192) })
        const declared = yield* request(`${url}/specs/validate`, {
          headers: { "content-type": "application/json" },
          body: big
        })
        expect(declared.status).toBe(413)
        expect(declared.json).toMatchObject({ _tag: "PayloadTooLarge", limitBytes: 4096 })
        const chunked = yield* request(`${url}/specs/validate`, {
          headers: { "content-type": "application/json" },
          body: new ReadableStream({
            start(controller) {
              for (let i = 0; i < 4; i++) {
                controller.enqueue(new TextEncoder().encode(big.slice(i * 2500, (i + 1) * 2500)))
              }
              controller.close()
            }
          }),
          duplex: "half"
        } as RequestInit)
        expect(chunked.status).toBe(413)
        // A body under the cap is read and judged on its content.
        const small = yield* postJson(`${url}/specs/validate`, pilotSpecObject)
        expect(small.status).toBe(200)
      }), { maxBodyBytes: 4096 }))

  it.live("the row cap refuses a design above it, and takes one at it", () =>
    Effect.gen(function*() {
      const over = yield* withService((url) => postJson(`${url}/specs/validate`, pilotSpecObject), { maxRows: 191 })
      expect(over.status).toBe(422)
      expect(over.json._tag).toBe("InvalidSpec")
      expect(over.json.message).toContain("191")
      const at = yield* withService((url) => postJson(`${url}/specs/validate`, pilotSpecObject), { maxRows: 192 })
      expect(at.status).toBe(200)
    }))
})

describe("POST /specs/plan and /specs/membership.csv", () => {
  const golden = fs.readFileSync(fixturePath("example-expected", "daydream-pilot.membership-full.csv"), "utf8")

  it.live("plan gives counts and a preview; the CSV is the whole membership, equal to the example's golden", () =>
    withService((url) =>
      Effect.gen(function*() {
        const plan = yield* postJson(`${url}/specs/plan?cohortId=daydream-pilot&previewRows=3`, pilotSpecObject)
        expect(plan.status).toBe(200)
        const lines = golden.trimEnd().split("\n")
        expect(plan.json.rowCount).toBe(lines.length - 1)
        expect(plan.json.counts.draft + plan.json.counts.essay + plan.json.counts.evaluation).toBe(plan.json.rowCount)
        expect(plan.json.preview).toHaveLength(3)
        expect(plan.json.preview[0]).toMatchObject({ stage: "draft", origin_cohort_id: "daydream-pilot", replicate: 1 })
        expect(lines[1]!.split(",")[1]).toBe(plan.json.preview[0].gen_id)

        const csv = yield* postJson(`${url}/specs/membership.csv?cohortId=daydream-pilot`, pilotSpecObject)
        expect(csv.status).toBe(200)
        expect(csv.contentType).toMatch(/^text\/csv/)
        expect(csv.text).toBe(golden)
      })
    ))

  it.live("plan checks its cohort id and its query (400 for a bad previewRows)", () =>
    withService((url) =>
      Effect.gen(function*() {
        const badId = yield* postJson(`${url}/specs/plan?cohortId=..%2Fx`, pilotSpecObject)
        expect(badId.status).toBe(422)
        expect(badId.json._tag).toBe("InvalidConstraint")
        const badPreview = yield* postJson(`${url}/specs/plan?cohortId=p&previewRows=many`, pilotSpecObject)
        expect(badPreview.status).toBe(400)
        expect(badPreview.json._tag).toBe("HttpApiDecodeError")
        const tooMany = yield* postJson(`${url}/specs/plan?cohortId=p&previewRows=1001`, pilotSpecObject)
        expect(tooMany.status).toBe(400)
        const missing = yield* postJson(`${url}/specs/membership.csv`, pilotSpecObject)
        expect(missing.status).toBe(400)
      })
    ))
})
