import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { ArtifactWriteFailed } from "../../src/errors/ArtifactWriteFailed.js"

/** The message of the error a real write of `file` fails with (its folder does not exist). */
const nodeError = (file: string): NodeJS.ErrnoException => {
  try {
    fs.writeFileSync(file, "x", { flag: "wx" })
  } catch (error) {
    return error as NodeJS.ErrnoException
  }
  throw new Error("the write was expected to fail")
}

describe("ArtifactWriteFailed never shows a temp file's name", () => {
  it.scoped("a metadata write: the path and the system's message name metadata.json", () =>
    Effect.gen(function*() {
      const tmp = yield* (yield* FileSystem.FileSystem).makeTempDirectoryScoped()
      const dir = path.join(tmp, "gens", "evaluation", "v_abc")
      for (const temp of [".metadata.json.4242.0a1b2c3d-17.tmp", ".metadata.json.4242.17.tmp"]) {
        const e = nodeError(path.join(dir, temp))
        const error = new ArtifactWriteFailed({ path: e.path!, cause: e.message })
        expect(error.path).toBe(path.join(dir, "metadata.json"))
        expect(error.message).not.toMatch(/\.tmp|4242/)
        expect(error.message).toContain(`${path.join(dir, "metadata.json")}'`)
      }
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("membership.csv and manifest.json through the platform's FileSystem: their own names", () =>
    Effect.gen(function*() {
      const fileSystem = yield* FileSystem.FileSystem
      const tmp = yield* fileSystem.makeTempDirectoryScoped()
      for (const name of ["membership.csv", "manifest.json"]) {
        const temp = path.join(tmp, "gone", `.${name}.4242.deadbeef.tmp`)
        const failure = yield* Effect.flip(fileSystem.open(temp, { flag: "wx" }))
        expect(failure.message).toContain(".tmp")
        const error = new ArtifactWriteFailed({ path: path.join(tmp, "gone", name), cause: failure.message })
        expect(error.message).not.toMatch(/\.tmp|deadbeef/)
        expect(error.cause).toContain(path.join(tmp, "gone", name))
      }
      // A name that only looks a little like one is left alone.
      const plain = new ArtifactWriteFailed({ path: "/d/results.2024.tmp", cause: "disk full" })
      expect(plain.path).toBe("/d/results.2024.tmp")
    }).pipe(Effect.provide(NodeContext.layer)))
})
