import { OpenApi } from "@effect/platform"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { CohortApi } from "../../src/http/index.js"
import type { CohortServiceOptions } from "../../src/http/index.js"
import { CohortSpecRepository, dataRootLive, FileSystemSpecRepository, GensStore } from "../../src/index.js"
import { copyExampleDataRoot, leftovers, snapshot } from "../support/DataRoots.js"
import { fixturePath } from "../support/Fixtures.js"
import { request, startService } from "./Service.js"

const full = fs.readFileSync(fixturePath("example-expected", "daydream-pilot.membership-full.csv"), "utf8")
// membership.csv keeps the original's two columns.
const golden = full.split("\n").map((line) => line.split(",").slice(0, 2).join(",")).join("\n")
const COHORT = "daydream-pilot"

/** A fresh copy of the example data root for the effect; removed afterwards. */
const withRoot = <A, E>(f: (root: string) => Effect.Effect<A, E>) =>
  Effect.acquireUseRelease(
    Effect.sync(copyExampleDataRoot),
    ({ root }) => f(root),
    ({ cleanup }) => Effect.sync(cleanup)
  )

const withService = <A, E>(
  f: (url: string, root: string) => Effect.Effect<A, E>,
  options: Partial<CohortServiceOptions> = {}
) =>
  withRoot((root) => Effect.scoped(Effect.flatMap(startService({ dataRoot: root, ...options }), (url) => f(url, root))))

const cohortFiles = (root: string) => {
  const dir = path.join(root, "cohorts", COHORT)
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8"))
  return { membership: fs.readFileSync(path.join(dir, "membership.csv"), "utf8"), manifest }
}

describe("POST /cohorts/:cohortId/build and /validate", () => {
  it.live("a build writes the cohort's artifacts; the membership is the example's golden", () =>
    withService((url, root) =>
      Effect.gen(function*() {
        const reply = yield* request(`${url}/cohorts/${COHORT}/build?previewRows=2`)
        expect(reply.status).toBe(200)
        expect(reply.json).toMatchObject({ cohortId: COHORT, rowCount: 232, dryRun: false })
        expect(reply.json.membershipPreview).toHaveLength(2)
        expect(reply.json.artifacts.membership).toBe(path.join(root, "cohorts", COHORT, "membership.csv"))
        expect(cohortFiles(root).membership).toBe(golden)
        expect(leftovers(root)).toEqual([])
      })
    ))

  it.live("a dry run and a validate write nothing", () =>
    withService((url, root) =>
      Effect.gen(function*() {
        const before = snapshot(root)
        const dry = yield* request(`${url}/cohorts/${COHORT}/build?dryRun=true&strict=false`)
        expect(dry.status).toBe(200)
        expect(dry.json).toMatchObject({ rowCount: 232, dryRun: true, artifacts: {} })
        const validate = yield* request(`${url}/cohorts/${COHORT}/validate`)
        expect(validate.status).toBe(200)
        expect(validate.json).toMatchObject({ rowCount: 232, membershipPreview: [] })
        expect(snapshot(root)).toEqual(before)
      })
    ))

  it.live("an unknown cohort is SpecNotFound (404); a bad cohort id InvalidConstraint (422); a bad flag 400", () =>
    withService((url) =>
      Effect.gen(function*() {
        const missing = yield* request(`${url}/cohorts/nope/build`)
        expect(missing.status).toBe(404)
        expect(missing.json).toMatchObject({ _tag: "SpecNotFound", cohortId: "nope" })
        expect(missing.json.message).toMatch(/^no spec for cohort "nope"/)
        const validateMissing = yield* request(`${url}/cohorts/nope/validate`)
        expect(validateMissing.status).toBe(404)
        const badId = yield* request(`${url}/cohorts/.hidden/build`)
        expect(badId.status).toBe(422)
        expect(badId.json._tag).toBe("InvalidConstraint")
        const badFlag = yield* request(`${url}/cohorts/${COHORT}/build?dryRun=maybe`)
        expect(badFlag.status).toBe(400)
      })
    ))

  it.live("a spec naming an LLM the catalog lacks is CoverageGap (422); a broken spec file InvalidSpec (422)", () =>
    withService((url, root) =>
      Effect.gen(function*() {
        const spec = path.join(root, "cohorts", COHORT, "spec", "config.yaml")
        const text = fs.readFileSync(spec, "utf8")
        fs.writeFileSync(
          spec,
          text.replace("evaluation_llm: [sonnet-4, gemini_25_pro]", "evaluation_llm: [sonnet-4, ghost-llm]")
        )
        const gap = yield* request(`${url}/cohorts/${COHORT}/validate`)
        expect(gap.status).toBe(422)
        expect(gap.json).toMatchObject({ _tag: "CoverageGap", missing: ["ghost-llm"] })
        expect(gap.json.message).toContain("ghost-llm")
        fs.writeFileSync(spec, text.replace("axes:", "axes: [unclosed"))
        const broken = yield* request(`${url}/cohorts/${COHORT}/build`)
        expect(broken.status).toBe(422)
        expect(broken.json._tag).toBe("InvalidSpec")
      })
    ))

  it.live("strict mode with warnings is InvalidConstraint (422)", () =>
    withService((url, root) =>
      Effect.gen(function*() {
        const spec = path.join(root, "cohorts", COHORT, "spec", "config.yaml")
        // A subset level that is not a level of its axis is a warning, not an error.
        fs.writeFileSync(
          spec,
          fs.readFileSync(spec, "utf8").replace(
            "deliberate-rolling-thread-v3]",
            "deliberate-rolling-thread-v3, no-such-draft]"
          )
        )
        const strict = yield* request(`${url}/cohorts/${COHORT}/build?dryRun=true&strict=true`)
        expect(strict.status).toBe(422)
        expect(strict.json).toMatchObject({ _tag: "InvalidConstraint", reason: "strict mode: the build has warnings" })
        const lenient = yield* request(`${url}/cohorts/${COHORT}/build?dryRun=true`)
        expect(lenient.status).toBe(200)
        expect(lenient.json.metadata.validation_warnings.length).toBeGreaterThan(0)
      })
    ))

  it.live("a missing catalog is CatalogMissing (409)", () =>
    withService((url, root) =>
      Effect.gen(function*() {
        fs.rmSync(path.join(root, "combo_mappings.csv"))
        const reply = yield* request(`${url}/cohorts/${COHORT}/build`)
        expect(reply.status).toBe(409)
        expect(reply.json).toMatchObject({ _tag: "CatalogMissing", slice: "combo_mappings" })
        expect(typeof reply.json.message).toBe("string")
      })
    ))

  it.live("a membership that cannot be written is ArtifactWriteFailed (500), nothing half-written", () =>
    withService((url, root) =>
      Effect.gen(function*() {
        // A folder where membership.csv goes: the rename into place fails.
        fs.mkdirSync(path.join(root, "cohorts", COHORT, "membership.csv"))
        const reply = yield* request(`${url}/cohorts/${COHORT}/build`)
        expect(reply.status).toBe(500)
        expect(reply.json).toMatchObject({ _tag: "ArtifactWriteFailed", cause: "a folder is in the way" })
        expect(reply.json.message).toMatch(/^cannot write /)
        expect(fs.existsSync(path.join(root, "cohorts", COHORT, "manifest.json"))).toBe(false)
        expect(leftovers(root)).toEqual([])
      })
    ))
})

describe("two builds of one cohort at once", () => {
  it.live("while one runs, another request for it is Locked (409); the first completes", () =>
    withRoot((root) =>
      Effect.gen(function*() {
        const entered = yield* Deferred.make<void>()
        const release = yield* Deferred.make<void>()
        // The data root's layers, with a spec repository that holds the build until the test releases it.
        const held = Layer.effect(
          CohortSpecRepository,
          Effect.map(CohortSpecRepository, (real) => ({
            get: (id: string) =>
              Deferred.succeed(entered, undefined).pipe(
                Effect.zipRight(Deferred.await(release)),
                Effect.zipRight(real.get(id))
              )
          }))
        ).pipe(
          Layer.provide(FileSystemSpecRepository.layer(root)),
          Layer.provide(Layer.merge(NodeContext.layer, GensStore.layer(root)))
        )
        const services = Layer.merge(dataRootLive(root), held)
        const url = yield* startService({ dataRoot: root, services })
        const first = yield* Effect.fork(request(`${url}/cohorts/${COHORT}/build`))
        yield* Deferred.await(entered)
        const second = yield* request(`${url}/cohorts/${COHORT}/build`)
        expect(second.status).toBe(409)
        expect(second.json).toMatchObject({ _tag: "Locked", cohortId: COHORT })
        expect(second.json.message).toContain("being built by another request")
        yield* Deferred.succeed(release, undefined)
        const done = yield* first.await
        expect(done._tag === "Success" && done.value.status).toBe(200)
        // Once it has finished, the cohort can be built again.
        const again = yield* request(`${url}/cohorts/${COHORT}/build`)
        expect(again.status).toBe(200)
        expect(cohortFiles(root).membership).toBe(golden)
      }).pipe(Effect.scoped)
    ))

  it.live("concurrent builds through two services of one data root both succeed, identical to a single build", () =>
    Effect.gen(function*() {
      const single = yield* withService((url, root) =>
        Effect.map(request(`${url}/cohorts/${COHORT}/build`), () => ({ ...cohortFiles(root), gens: gensOf(root) }))
      )
      const racing = yield* withRoot((root) =>
        Effect.gen(function*() {
          const a = yield* startService({ dataRoot: root })
          const b = yield* startService({ dataRoot: root })
          // Same service twice as well: each reply is a success or Locked, never anything else.
          const replies = yield* Effect.all([a, b, a].map((url) => request(`${url}/cohorts/${COHORT}/build`)), {
            concurrency: "unbounded"
          })
          return { replies, files: cohortFiles(root), gens: gensOf(root), leftovers: leftovers(root) }
        }).pipe(Effect.scoped)
      )
      const statuses = racing.replies.map((r) => r.status)
      expect(statuses.slice(0, 2)).toEqual([200, 200])
      expect([200, 409]).toContain(statuses[2])
      if (statuses[2] === 409) expect(racing.replies[2]!.json._tag).toBe("Locked")
      expect(racing.files.membership).toBe(single.membership)
      expect({ ...racing.files.manifest }).toEqual({ ...single.manifest })
      expect(racing.gens).toEqual(single.gens)
      expect(racing.leftovers).toEqual([])
    }))
})

/** The generation folders and their metadata, minus run timestamps. */
const gensOf = (root: string): Array<string> =>
  Array.from(snapshot(path.join(root, "gens")).entries()).map(([file, text]) =>
    `${file}:${text.replace(/"run_timestamp": "[^"]*"/g, "")}`
  ).sort()

describe("GET /openapi.json", () => {
  it.live("serves the API's OpenAPI document, with every endpoint and its error statuses", () =>
    withService((url) =>
      Effect.gen(function*() {
        const reply = yield* Effect.promise(() =>
          fetch(`${url}/openapi.json`).then(async (r) => ({ status: r.status, json: (await r.json()) as any }))
        )
        expect(reply.status).toBe(200)
        expect(reply.json).toEqual(JSON.parse(JSON.stringify(OpenApi.fromApi(CohortApi))))
        const paths = reply.json.paths
        expect(Object.keys(paths).sort()).toEqual([
          "/cohorts/{cohortId}/build",
          "/cohorts/{cohortId}/validate",
          "/specs/membership.csv",
          "/specs/plan",
          "/specs/validate"
        ])
        expect(Object.keys(paths["/cohorts/{cohortId}/build"].post.responses).sort()).toEqual([
          "200",
          "400",
          "404",
          "409",
          "422",
          "500"
        ])
        expect(Object.keys(paths["/specs/validate"].post.responses).sort()).toEqual(["200", "400", "413", "422"])
        expect(paths["/specs/membership.csv"].post.responses["200"].content).toHaveProperty("text/csv")
      })
    ))
})
