import { describe, expect, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { copyExampleDataRoot } from "../support/DataRoots.js"
import { repoRoot } from "../support/Fixtures.js"

/**
 * The bad-input corpus (README "Guarantees"): every folder `test/corpus/<NN-name>/` is one bad input run
 * through the built CLI (`dist/main.js`, built by `npm test`). For each case:
 *
 * - exit code 1, exactly one stderr line, starting with `<tag>: ` and containing every `message` fragment;
 * - stdout empty (validate: its list of problems), or with `"json": true` (build/validate only) one
 *   `{ok: false, error: {_tag: <tag>}}`;
 * - the data root (or the case's working folder) byte-for-byte unchanged: no file or folder written,
 *   no temp file or lock left behind.
 *
 * `case.json`: `{ args, tag, message, json?, fields?, generated?, maxStderrBytes?, bug? }`.
 * - `build`/`validate` cases run on a fresh copy of `examples/data` with the case's `data/` folder laid
 *   over it (a file replaces or adds; `<name>.delete` deletes `<name>`); `--data-root <root>` is appended.
 * - `design`/`plan` cases run in a temp copy of the case folder (spec and includes), paths relative to it.
 * - `message`: one fragment or several, each of which the stderr line must contain.
 * - `fields` (with `json`): fields the error must carry in `{ok: false, error}` (tags and fields, not only text).
 * - `{root}` in `args`, `message` and `fields` stands for the data root / working folder (real path).
 * - `generated` says what `GENERATORS[<case name>]` writes (inputs too big or odd to commit).
 * - `bug` marks a case whose expected behaviour the CLI does not have yet (`it.fails`): it states the
 *   behaviour a user should get, and the reason says what happens instead. `CORPUS_BUGS=run` runs these
 *   as ordinary tests, to see how they fail (or to check a fix: then drop the case's `bug`).
 */

const corpusDir = path.dirname(fileURLToPath(import.meta.url))
const main = path.join(repoRoot, "dist", "main.js")

interface Case {
  readonly name: string
  readonly dir: string
  readonly args: ReadonlyArray<string>
  readonly tag: string
  readonly message: string | ReadonlyArray<string>
  readonly json?: boolean
  readonly fields?: Readonly<Record<string, unknown>>
  readonly generated?: string
  readonly maxStderrBytes?: number
  readonly bug?: string
}

const TAGS = [
  "SpecNotFound",
  "InvalidSpec",
  "CatalogMissing",
  "CatalogIncomplete",
  "CatalogInvalid",
  "InvalidConstraint",
  "CoverageGap",
  "IdCollision",
  "ArtifactWriteFailed"
]

const loadCases = (): Array<Case> =>
  fs.readdirSync(corpusDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^\d{2}-/.test(e.name))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const dir = path.join(corpusDir, name)
      const raw = JSON.parse(fs.readFileSync(path.join(dir, "case.json"), "utf8")) as Omit<Case, "name" | "dir">
      return { ...raw, name, dir }
    })

const isDataRootCase = (c: Case) => c.args[0] === "build" || c.args[0] === "validate"

// ---------------------------------------------------------------------------------------------------------
// Inputs generated at run time (keyed by case name): too big, or bytes a text diff would mangle.

const MiB = 1024 * 1024
const write = (file: string, content: string | Uint8Array) => {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, content)
}
const bytes = (...parts: Array<string | number>) =>
  Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.from([p]))))
const spec = (dir: string) => path.join(dir, "spec", "config.yaml")
const lines = (header: string, n: number, row: (i: number) => string) =>
  [header, ...Array.from({ length: n }, (_, i) => row(i))].join("\n") + "\n"

const GENERATORS: Readonly<Record<string, (dir: string) => void>> = {
  // "axes:" then 0xFF 0xFE: not UTF-8.
  "08-spec-not-utf8": (dir) => write(spec(dir), bytes("axes:\n  a: [x", 0xff, 0xfe, "]\n")),
  // A BOM (ignored) before a typo on the first line: the key must be reported without the BOM.
  "09-spec-bom-then-typo": (dir) => write(spec(dir), "\ufeffaxez:\n  a: [x]\noutput:\n  field_order: [a]\n"),
  // 8 MiB: refused by size before it is read.
  "10-spec-8mb": (dir) => write(spec(dir), `# ${"x".repeat(8 * MiB)}\naxes: {a: [x]}\noutput: {field_order: [a]}\n`),
  // One ~1 MB line of flow YAML whose sequence is never closed.
  "11-spec-huge-single-line": (dir) =>
    write(spec(dir), `{axes: {a: [${Array.from({ length: 120_000 }, (_, i) => `v${i}`).join(", ")}}, output: {}}`),
  // One 1 MiB value where a list belongs: the error line should not echo all of it.
  "12-spec-huge-value-echoed": (dir) =>
    write(spec(dir), `axes: {a: "${"x".repeat(MiB)}"}\noutput: {field_order: [a]}\n`),
  // 100,000 nested flow sequences.
  "13-spec-deeply-nested": (dir) =>
    write(spec(dir), `axes: {a: ${"[".repeat(100_000)}${"]".repeat(100_000)}}\noutput: {field_order: [a]}\n`),
  // A one-column include with a 0xFF byte in a data row.
  "41-include-not-utf8": (dir) => write(path.join(dir, "spec", "combos.csv"), bytes("combo_id\nc1\nc", 0xff, "\n")),
  // BOM, CRLF line ends, a quoted comma and a quoted line break inside one cell.
  "43-include-bom-crlf-quoted-newline": (dir) =>
    write(path.join(dir, "spec", "combos.csv"), "\ufeffcombo_id\r\n\"c,1\"\r\n\"c\r\n2\"\r\n"),
  // llm_models.csv with a Latin-1 "é" (0xE9) in a display name.
  "67-llm-models-not-utf8": (dir) => {
    const file = path.join(dir, "1_raw", "llm_models.csv")
    write(file, Buffer.concat([fs.readFileSync(file), bytes("extra,x/y,x,Mod", 0xe9, "le,\n")]))
  },
  // 20,000 combos missing from the catalog: a CoverageGap whose --json output is ~0.9 MB.
  "83-coverage-gap-many-combos-json": (dir) =>
    write(
      path.join(dir, "cohorts", "daydream-pilot", "spec", "items", "combos.csv"),
      lines("combo_id", 20_000, (i) => `combo_v9_${String(i).padStart(12, "0")}`)
    )
}

// ---------------------------------------------------------------------------------------------------------
// Fixtures: a working folder per case, its byte snapshot, and the CLI run as a child process.

/** Every folder and file under `root`: relative path → SHA-256 of its bytes ("dir" for folders). */
const snapshotBytes = (root: string): Map<string, string> => {
  const out = new Map<string, string>()
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      const rel = path.relative(root, full)
      if (entry.isDirectory()) {
        out.set(`${rel}/`, "dir")
        walk(full)
      } else {
        out.set(rel, createHash("sha256").update(fs.readFileSync(full)).digest("hex"))
      }
    }
  }
  walk(root)
  return out
}

/** Copies `from` onto `to`; a file `<name>.delete` deletes `<name>` instead. */
const overlay = (from: string, to: string) => {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name)
    if (entry.isDirectory()) {
      fs.mkdirSync(path.join(to, entry.name), { recursive: true })
      overlay(source, path.join(to, entry.name))
    } else if (entry.name.endsWith(".delete")) {
      fs.rmSync(path.join(to, entry.name.slice(0, -".delete".length)), { recursive: true })
    } else {
      fs.copyFileSync(source, path.join(to, entry.name))
    }
  }
}

/** Makes a copied tree writable (the example data root may be checked out read-only). */
const makeWritable = (dir: string) => {
  fs.chmodSync(dir, 0o755)
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) makeWritable(full)
    else fs.chmodSync(full, 0o644)
  }
}

/** The folder a case runs in (a data root, or a copy of the case's spec files) and its cleanup. */
const prepare = (c: Case): { root: string; cwd: string; cleanup: () => void | Promise<void> } => {
  if (isDataRootCase(c)) {
    const { cleanup, root } = copyExampleDataRoot()
    makeWritable(root)
    const data = path.join(c.dir, "data")
    if (fs.existsSync(data)) overlay(data, root)
    GENERATORS[c.name]?.(root)
    const real = fs.realpathSync(root)
    return { root: real, cwd: path.dirname(real), cleanup }
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cohort-corpus-"))
  const work = path.join(tmp, "work")
  fs.cpSync(c.dir, work, { recursive: true, filter: (src) => path.basename(src) !== "case.json" })
  makeWritable(work)
  GENERATORS[c.name]?.(work)
  const real = fs.realpathSync(work)
  return { root: real, cwd: real, cleanup: () => fs.rmSync(tmp, { recursive: true, force: true }) }
}

/** Runs the built CLI as a user would (asynchronously, so that cases run side by side). */
const cohort = (args: ReadonlyArray<string>, cwd: string) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env }
    delete env["COHORT_DATA_ROOT"]
    const child = spawn(process.execPath, [main, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] })
    const out: Array<Buffer> = []
    const err: Array<Buffer> = []
    child.stdout.on("data", (b: Buffer) => out.push(b))
    child.stderr.on("data", (b: Buffer) => err.push(b))
    child.on("error", reject)
    child.on(
      "close",
      (code) =>
        resolve({ code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") })
    )
  })

const fill = (text: string, root: string) => text.replaceAll("{root}", root)

/** `value` with `{root}` filled in every string inside it. */
const fillAll = (value: unknown, root: string): unknown =>
  typeof value === "string"
    ? fill(value, root)
    : Array.isArray(value)
    ? value.map((v) => fillAll(v, root))
    : typeof value === "object" && value !== null
    ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillAll(v, root)]))
    : value

/** Temp files and locks, which no failed run may leave behind. */
const leftovers = (snap: Map<string, string>) => Array.from(snap.keys()).filter((f) => /\.tmp$|(^|\/)\.lock$/.test(f))

const runCase = async (c: Case) => {
  const { cleanup, cwd, root } = prepare(c)
  try {
    const args = [...c.args.map((a) => fill(a, root)), ...(isDataRootCase(c) ? ["--data-root", root] : [])]
    if (c.json === true) args.push("--json")
    const before = snapshotBytes(root)
    const run = await cohort(args, cwd)
    const after = snapshotBytes(root)
    const context = `${c.name}: stderr ${JSON.stringify(run.stderr.slice(0, 2000))}`

    expect(run.code, context).toBe(1)
    const stderrLines = run.stderr.replace(/\n$/, "").split("\n")
    expect(stderrLines, context).toHaveLength(1)
    const line = stderrLines[0]!
    expect(line.startsWith(`${c.tag}: `), context).toBe(true)
    for (const fragment of typeof c.message === "string" ? [c.message] : c.message) {
      expect(line, context).toContain(fill(fragment, root))
    }
    if (c.maxStderrBytes !== undefined) {
      expect(Buffer.byteLength(run.stderr), context).toBeLessThanOrEqual(c.maxStderrBytes)
    }
    if (c.json === true) {
      const parsed = JSON.parse(run.stdout) as { ok: unknown; error: { _tag: unknown; message: unknown } }
      const fields = fillAll(c.fields ?? {}, root) as Record<string, unknown>
      expect(parsed, context).toMatchObject({ ok: false, error: { ...fields, _tag: c.tag } })
      // The JSON error is the stderr line's error.
      expect(`${c.tag}: ${String(parsed.error.message).replace(/\s*\n\s*/g, " ")}`).toBe(line)
    } else if (c.args[0] === "validate") {
      // validate reports its problems on stdout: a count, then one line per problem.
      expect(run.stdout, context).toMatch(/^cohort \S+: \d+ problems?\n( {2}(error|warning): .*\n)+$/)
    } else {
      expect(run.stdout, context).toBe("")
    }
    expect(leftovers(after), context).toEqual([])
    expect(after, context).toEqual(before)
  } finally {
    await cleanup()
  }
}

// ---------------------------------------------------------------------------------------------------------

const cases = loadCases()

describe("the bad-input corpus", () => {
  it("is well-formed: at least 45 cases, known tags, every generator has its case", () => {
    expect(cases.length).toBeGreaterThanOrEqual(45)
    expect(new Set(cases.map((c) => c.name.slice(0, 2))).size).toBe(cases.length)
    for (const c of cases) {
      expect(TAGS, c.name).toContain(c.tag)
      expect(["build", "validate", "plan", "design"], c.name).toContain(c.args[0])
      expect(c.json === true && !isDataRootCase(c), `${c.name}: --json exists for build/validate only`).toBe(false)
      expect(c.fields === undefined || c.json === true, `${c.name}: fields need json`).toBe(true)
      expect(c.generated !== undefined, `${c.name}: "generated" iff a generator`).toBe(GENERATORS[c.name] !== undefined)
    }
    for (const name of Object.keys(GENERATORS)) expect(cases.map((c) => c.name)).toContain(name)
  })

  it("dist/main.js is built (run `npm run build` first)", () => {
    expect(fs.existsSync(main)).toBe(true)
  })
})

describe.concurrent("each bad input: exit 1, one tagged stderr line, nothing written", () => {
  for (const c of cases) {
    const title = `${c.name} → ${c.tag}`
    if (c.bug === undefined || process.env["CORPUS_BUGS"] === "run") it(title, () => runCase(c))
    else it.fails(`${title} [known bug: ${c.bug}]`, () => runCase(c))
  }
})

// ---------------------------------------------------------------------------------------------------------
// Positive controls: odd inputs the corpus relies on being accepted.

const designOf = async (files: Readonly<Record<string, string>>, args: ReadonlyArray<string>) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cohort-control-"))
  try {
    for (const [name, content] of Object.entries(files)) write(path.join(tmp, name), content)
    const before = snapshotBytes(tmp)
    const run = await cohort(args, tmp)
    expect(snapshotBytes(tmp)).toEqual(before)
    return run
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}

describe.concurrent("positive controls", () => {
  it("a CSV include with a BOM, CRLF line ends and quoted commas parses", async () => {
    const run = await designOf({
      "spec/config.yaml": [
        "axes:",
        "  combo_id: '@file:combos.csv'",
        "rules:",
        "  tuples:",
        "    bundle: {axes: [essay_template, essay_llm], items: '@file:bundle.csv'}",
        "output:",
        "  field_order: [combo_id, essay_template, essay_llm]",
        ""
      ].join("\n"),
      "spec/combos.csv": "\ufeffcombo_id\r\n\"c,1\"\r\nc2\r\n",
      "spec/bundle.csv": "\ufeffessay_template,essay_llm\r\n\"essay, long\",m1\r\n\"essay \"\"quoted\"\"\",m2\r\n"
    }, ["design", "spec/config.yaml", "--format", "jsonl"])
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    expect(run.stdout.trimEnd().split("\n").map((l) => JSON.parse(l))).toEqual([
      { combo_id: "c,1", essay_template: "essay, long", essay_llm: "m1" },
      { combo_id: "c,1", essay_template: "essay \"quoted\"", essay_llm: "m2" },
      { combo_id: "c2", essay_template: "essay, long", essay_llm: "m1" },
      { combo_id: "c2", essay_template: "essay \"quoted\"", essay_llm: "m2" }
    ])
  })

  it("ids containing '|' are accepted (the original joins signature parts with '|' too)", async () => {
    const run = await designOf({
      "config.yaml": [
        "axes:",
        "  combo_id: ['c|1']",
        "  draft_template: ['d|1']",
        "  draft_llm: ['m|1']",
        "  essay_template: [e1]",
        "  essay_llm: [m1]",
        "  evaluation_template: [v1]",
        "  evaluation_llm: ['j|1']",
        "output:",
        "  field_order: [combo_id]",
        ""
      ].join("\n")
    }, ["plan", "config.yaml", "--cohort-id", "pipes"])
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    expect(run.stdout.trimEnd().split("\n")).toHaveLength(4)
    expect(run.stdout).toContain(",pipes,,c|1,d|1,m|1,1\n")
  })
})
