import { afterEach, describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { GensStoreService } from "../../src/gens/GensStoreService.js"
import { OTHER, SAME } from "../../src/gens/MetadataVerdict.js"

const dirs: Array<string> = []
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })))
const store = () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "cohort-gens-"))
  dirs.push(root)
  fs.mkdirSync(path.join(root, "gens", "draft"), { recursive: true })
  return { root, gens: new GensStoreService(root) }
}

describe("GensStoreService.createMetadata", () => {
  it("writes the file whole and leaves no temp file; a second write keeps the first", () => {
    const { gens, root } = store()
    expect(gens.createMetadata("draft", "d_1", "{\"a\": 1}")).toBe(true)
    expect(new GensStoreService(root).createMetadata("draft", "d_1", "{\"a\": 2}")).toBe(false)
    expect(fs.readFileSync(gens.metadataFile("draft", "d_1"), "utf8")).toBe("{\"a\": 1}")
    expect(fs.readdirSync(path.join(root, "gens", "draft", "d_1"))).toEqual(["metadata.json"])
  })

  it("a temp file left by a killed build whose pid is now this process's does not get in the way", () => {
    const { gens, root } = store()
    const folder = path.join(root, "gens", "draft", "d_2")
    fs.mkdirSync(folder)
    // The name an earlier build with this pid would have used for its first temp file.
    fs.writeFileSync(path.join(folder, `.metadata.json.${process.pid}.0.tmp`), "partial")
    expect(gens.createMetadata("draft", "d_2", "{}")).toBe(true)
    expect(fs.readFileSync(path.join(folder, "metadata.json"), "utf8")).toBe("{}")
  })

  it("a dead process's temp file in a folder without metadata is swept", () => {
    const { gens, root } = store()
    const folder = path.join(root, "gens", "draft", "d_3")
    fs.mkdirSync(folder)
    fs.writeFileSync(path.join(folder, ".metadata.json.999999999.0badcafe-4.tmp"), "partial")
    fs.writeFileSync(path.join(folder, ".metadata.json.999999999.7.tmp"), "partial")
    expect(gens.createMetadata("draft", "d_3", "{}")).toBe(true)
    expect(fs.readdirSync(folder)).toEqual(["metadata.json"])
  })
})

describe("GensStoreService.verify", () => {
  it("reads metadata without touching its access time (a rerun must not rewrite every inode)", (ctx) => {
    const { gens, root } = store()
    // The control: where a plain read leaves access times alone (noatime), there is nothing to show.
    const control = path.join(root, "control")
    fs.writeFileSync(control, "x")
    const stale = new Date(fs.statSync(control).mtime.getTime() - 3_600_000)
    fs.utimesSync(control, stale, fs.statSync(control).mtime)
    fs.readFileSync(control)
    if (fs.statSync(control).atime.getTime() === stale.getTime()) ctx.skip()

    const content = JSON.stringify({ combo_id: "c1", template_id: "t1", llm_model_id: "m1", replicate: 1 })
    expect(gens.createMetadata("draft", "d_4", content)).toBe(true)
    // An access time before the modification time: a plain read would update it (relatime).
    const file = gens.metadataFile("draft", "d_4")
    const mtime = fs.statSync(file).mtime
    const atime = new Date(mtime.getTime() - 3_600_000)
    fs.utimesSync(file, atime, mtime)
    expect(new GensStoreService(root).verify("draft", "d_4", "c1|t1|m1|1")).toBe(SAME)
    expect(fs.statSync(file).atime).toEqual(atime)
  })
})

describe("GensStoreService.verify, large files", () => {
  it("reads metadata larger than its read buffer whole", () => {
    const { gens, root } = store()
    // 200 kB of notes (three buffers and more) around the fields the signature is made of.
    const content = JSON.stringify({
      notes: "é".repeat(100_000),
      combo_id: "c1",
      template_id: "t1",
      llm_model_id: "m1",
      replicate: 1
    })
    expect(gens.createMetadata("draft", "d_5", content)).toBe(true)
    expect(new GensStoreService(root).verify("draft", "d_5", "c1|t1|m1|1")).toBe(SAME)
    expect(new GensStoreService(root).verify("draft", "d_5", "c1|t1|m1|2")).toBe(OTHER)
  })
})
