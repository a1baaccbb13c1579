import { afterAll, describe, expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { repoRoot } from "../support/Fixtures.js"

/**
 * The examples of docs/spec-language.md run as written: each `<!-- example: NAME [command=…] [args="…"] -->`
 * is followed by fenced blocks — the spec (`yaml`), include files (`<lang> file=REL`), and the expected
 * stdout (`<lang> output`) — up to the next example or heading.
 */
const doc = fs.readFileSync(path.join(repoRoot, "docs", "spec-language.md"), "utf8")
const main = path.join(repoRoot, "dist", "main.js")

interface Example {
  readonly name: string
  readonly command: string
  readonly args: ReadonlyArray<string>
  readonly spec: string
  readonly files: ReadonlyArray<{ readonly path: string; readonly text: string }>
  readonly output: string
}

const examples: Array<Example> = doc.split(/^<!-- example: /m).slice(1).map((part) => {
  const [marker = "", ...rest] = part.split("\n")
  const body = rest.join("\n").split(/^#/m)[0]!
  const attrs = marker.replace(/\s*-->\s*$/, "")
  const name = attrs.split(/\s+/)[0]!
  const command = /command=(\S+)/.exec(attrs)?.[1] ?? "design"
  const args = /args="([^"]*)"/.exec(attrs)?.[1]?.split(/\s+/).filter((a) => a !== "") ?? []
  const blocks = Array.from(
    body.matchAll(/^```([^\n]*)\n([\s\S]*?)^```$/gm),
    (m) => ({ info: m[1]!.trim(), text: m[2]! })
  )
  const spec = blocks.find((b) => b.info === "yaml")?.text
  const output = blocks.find((b) => /\boutput$/.test(b.info))?.text
  if (spec === undefined || output === undefined) {
    throw new Error(`example ${name} needs a yaml block and an output block`)
  }
  const files = blocks.flatMap((b) => {
    const file = /file=(\S+)/.exec(b.info)?.[1]
    return file === undefined ? [] : [{ path: file, text: b.text }]
  })
  return { name, command, args, spec, files, output }
})

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cohort-docs-"))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

describe("docs/spec-language.md", () => {
  it("is linked from the README, where users look", () => {
    expect(fs.readFileSync(path.join(repoRoot, "README.md"), "utf8")).toContain("](docs/spec-language.md)")
  })

  it("has examples of every rule", () => {
    expect(examples.map((e) => e.name)).toEqual(
      expect.arrayContaining(["cartesian", "includes", "subset", "tie", "pair", "seed", "plan"])
    )
  })

  for (const example of examples) {
    it(`example "${example.name}" prints what the page shows`, () => {
      const folder = path.join(dir, example.name)
      fs.mkdirSync(folder, { recursive: true })
      fs.writeFileSync(path.join(folder, "config.yaml"), example.spec)
      for (const file of example.files) {
        fs.mkdirSync(path.dirname(path.join(folder, file.path)), { recursive: true })
        fs.writeFileSync(path.join(folder, file.path), file.text)
      }
      const run = spawnSync(process.execPath, [main, example.command, "config.yaml", ...example.args], {
        cwd: folder,
        encoding: "utf8"
      })
      expect(run.stderr).toBe("")
      expect(run.status).toBe(0)
      expect(run.stdout).toBe(example.output)
    })
  }
})
