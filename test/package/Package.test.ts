import { NodeContext } from "@effect/platform-node"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { execFile } from "node:child_process"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

/**
 * The published package, as a consumer gets it: `npm pack`, then `npm install` of the tarball into a
 * fresh TypeScript project, from the registry only (`--prefer-offline`: npm's cache first). The test
 * costs ~40 s of CPU (install, then a strict typecheck of every declaration it reaches): ~40 s on an
 * idle machine, more on a busy one, hence its own timeout.
 */

const REPO = fileURLToPath(new URL("../..", import.meta.url))
const CONSUMER = fileURLToPath(new URL("./consumer", import.meta.url))
const TSC = fileURLToPath(new URL("../../node_modules/typescript/bin/tsc", import.meta.url))
const INSTALL = ["--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"]
const own = JSON.parse(readFileSync(`${REPO}/package.json`, "utf8")) as {
  version: string
  dependencies: Record<string, string>
  devDependencies: Record<string, string>
}

// npm run sets npm_* variables for its scripts (prefix, lifecycle, package fields); a nested npm must not
// inherit them. Registry, cache and user config stay.
const KEEP = new Set(["npm_config_registry", "npm_config_cache", "npm_config_userconfig"])
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("npm_") || KEEP.has(k)))

const run = (file: string, args: ReadonlyArray<string>, cwd: string) =>
  Effect.async<string, Error>((resume) => {
    execFile(file, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resume(
        error === null
          ? Effect.succeed(stdout)
          : Effect.fail(new Error(`${file} ${args.join(" ")}: ${error.message}\n${stdout}\n${stderr}`))
      )
    })
  })

/** Paths an example may ship: its sources, never what a build wrote into it. */
const EXAMPLE_SOURCE = /^examples\/data\/(?:1_raw\/[^/]+\.csv|combo_mappings\.csv|cohorts\/[^/]+\/spec\/.+)$/

layer(NodeContext.layer)("the published package", (it) => {
  it.scoped(
    "packs sources only, installs from the registry, typechecks strictly and runs",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const path = yield* Path.Path
        const tmp = yield* fs.makeTempDirectoryScoped({ prefix: "cohort-package-" })

        const packed = JSON.parse(yield* run("npm", ["pack", "--json", "--pack-destination", tmp], REPO)) as Array<{
          filename: string
          files: Array<{ path: string }>
        }>
        const files = packed[0]!.files.map((f) => f.path)
        const tarball = path.join(tmp, packed[0]!.filename)
        expect(files.filter((f) => f.startsWith("examples/") && !EXAMPLE_SOURCE.test(f))).toEqual([])
        expect(files).toContain("examples/data/cohorts/daydream-pilot/spec/config.yaml")
        expect(files.filter((f) => f.endsWith(".cache"))).toEqual([])
        expect(files).toContain("dist/index.d.ts")
        expect(files).toContain("dist/cli.cjs")

        const consumer = path.join(tmp, "consumer")
        yield* fs.copy(CONSUMER, consumer)
        yield* fs.writeFileString(
          path.join(consumer, "package.json"),
          JSON.stringify({ name: "consumer", private: true, type: "module" })
        )
        yield* run(
          "npm",
          [
            "install",
            ...INSTALL,
            tarball,
            `effect@${own.dependencies["effect"]}`,
            `@types/node@${own.devDependencies["@types/node"]}`
          ],
          consumer
        )

        // arquero's range for flechette is deduped to the pinned version (its newer one cannot install here).
        const flechette = JSON.parse(
          yield* fs.readFileString(path.join(consumer, "node_modules/@uwdata/flechette/package.json"))
        ) as { version: string }
        expect(flechette.version).toBe(own.dependencies["@uwdata/flechette"])
        const installed = path.join(consumer, "node_modules/cohort-membership-builder")
        expect(yield* fs.exists(path.join(installed, "node_modules/@uwdata/flechette"))).toBe(false)
        // Source maps carry their sources, which are not shipped as files.
        const map = JSON.parse(yield* fs.readFileString(path.join(installed, "dist/program.js.map"))) as {
          sourcesContent?: Array<string>
        }
        expect(map.sourcesContent?.[0]).toContain("export const planCohort")

        const bin = path.join(consumer, "node_modules/.bin/cohort")
        const [out, help] = yield* Effect.all([
          run(process.execPath, [TSC, "-p", "."], consumer).pipe(
            Effect.zipRight(run(process.execPath, ["dist/main.js"], consumer)),
            Effect.map((stdout) => JSON.parse(stdout) as Record<string, unknown>)
          ),
          run(bin, ["--help"], consumer)
        ], { concurrency: 2 })
        expect(out).toMatchObject({
          errorChannel: "no writes",
          rows: 6,
          rowsOfCurrentShapes: 6,
          evaluations: 2,
          stages: ["draft", "draft", "essay", "essay", "evaluation", "evaluation"],
          designRows: 1,
          refusal: { _tag: "InvalidSpec", key: "axes.combo_id", path: "memory://cohorts/direct/spec" },
          example: { draft: 16, essay: 24, evaluation: 192 }
        })
        expect((out["refusal"] as { message: string }).message).toContain("includes[\"combos.txt\"]")
        expect(help).toContain("cohort")
        expect(help).toContain("plan")
      }),
    300_000
  )
})
