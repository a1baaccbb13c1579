import { afterEach, describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { echoed, MAX_LISTED_CHARS } from "../../src/domain/TerminalText.js"
import { GensStoreService } from "../../src/gens/GensStoreService.js"
import { workerError } from "../../src/parallel/WorkerPool.js"

/**
 * Defects are printed as they are (`Defect: …` on the CLI's stderr), so what their messages echo of the
 * data (paths, values) is escaped and bounded where the message is made. A path with a newline and an
 * ANSI sequence (clear screen) must come out as one line of plain characters.
 */

const HOSTILE = "run\n\u001b[2J\u009bx\u202e"
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202e]/ // eslint-disable-line no-control-regex

const dirs: Array<string> = []
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })))

describe("echoed values in defect messages", () => {
  it("echoed escapes every unsafe character and cuts a runaway value", () => {
    expect(echoed(`/data/${HOSTILE}`)).toBe("/data/run\\u000a\\u001b[2J\\u009bx\\u202e")
    const long = echoed(`/${"a".repeat(5000)}\n`)
    expect(long.length).toBeLessThan(MAX_LISTED_CHARS + 40)
    expect(long).toContain("more characters")
    expect(long).not.toMatch(UNSAFE)
  })

  it("what a worker thread threw is escaped and bounded in this thread's defect", () => {
    const error = workerError(`Error: ENOENT: open '/data/${HOSTILE}/gens/draft'`)
    expect(error.message).toContain("/data/run\\u000a\\u001b[2J")
    expect(error.message).not.toMatch(UNSAFE)
    expect(workerError("x".repeat(10_000)).message.length).toBeLessThan(MAX_LISTED_CHARS + 60)
  })

  it("metadata.json held by a folder names its path escaped (the path field keeps it as it is)", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), `cohort-echo-${HOSTILE}`))
    dirs.push(root)
    const target = path.join(root, "gens", "draft", "d_1", "metadata.json")
    fs.mkdirSync(target, { recursive: true })
    let thrown: unknown
    try {
      new GensStoreService(root).createMetadata("draft", "d_1", "{}")
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(Error)
    const { message, path: field } = thrown as Error & { readonly path: string }
    expect(message).toContain("metadata.json is in the way and is not a regular file")
    expect(message).toContain("run\\u000a\\u001b[2J")
    expect(message).not.toMatch(UNSAFE)
    expect(field).toBe(target)
  })
})
