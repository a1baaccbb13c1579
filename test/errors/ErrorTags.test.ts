import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { ERROR_CLASSES, ERROR_TAGS } from "../../src/errors/ErrorTags.js"

const errorsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../src/errors")

describe("ERROR_TAGS", () => {
  it("lists the tag of every error class of src/errors, each file's class named after it", async () => {
    const files = fs.readdirSync(errorsDir).filter((f) =>
      f.endsWith(".ts") && !["index.ts", "Message.ts", "ErrorTags.ts"].includes(f)
    )
    const names = files.map((f) => f.replace(/\.ts$/, "")).sort()
    expect([...ERROR_TAGS].sort()).toEqual(names)
    for (const file of files) {
      const module = (await import(path.join(errorsDir, file))) as Record<string, { readonly _tag?: string }>
      const name = file.replace(/\.ts$/, "")
      expect(module[name]?._tag).toBe(name)
      expect(ERROR_CLASSES).toContain(module[name])
    }
  })
})
