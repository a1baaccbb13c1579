// Bundles the CLI (dist/main.js, compiled by tsc) into dist/cli.cjs, run by a small loader that takes
// its place as dist/main.js: loading ~600 ESM modules of effect, @effect/platform-node and @effect/cli
// took ~0.9 s of every run, the bundle ~0.3 s, and the bundle from V8's code cache ~0.2 s.
import { build } from "esbuild"
import { spawnSync } from "node:child_process"
import { chmodSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, relative } from "node:path"
import { fileURLToPath } from "node:url"

/** The patches (plugins below) that found and changed their module in this build. */
const applied = new Set()

// effect/Utils.js checks at load whether a frame named `effect_internal_function` survives in a stack trace
// (`new Error().stack`), to pick one of two wrappers that both just call their argument. Formatting that trace
// makes V8 find every line end of the 2 MB bundle (~25M instructions, a tenth of `cohort --help`'s work above
// reading and compiling the bundle), the only stack trace a plan formats. In the bundle the frame survives
// (esbuild keeps property names and the check sees it), so the answer is known when bundling.
const notOptimizedAwayCheck =
  /standard\.effect_internal_function\(\(\) => new Error\(\)\.stack\)\?\.includes\("effect_internal_function"\) === true/
const knownStackCheck = {
  name: "effect-utils-known-stack-check",
  setup: (b) =>
    b.onLoad({ filter: /[\\/]effect[\\/]dist[\\/]esm[\\/]Utils\.js$/ }, (args) => {
      const text = readFileSync(args.path, "utf8")
      if (!notOptimizedAwayCheck.test(text)) {
        return stalePatch("effect-utils-known-stack-check", args.path, "the stack-trace check")
      }
      applied.add("effect-utils-known-stack-check")
      return { contents: text.replace(notOptimizedAwayCheck, "true"), loader: "js" }
    })
}
// blake2b-wasm/blake2b.js decodes its WebAssembly (12 KB of base64) with a loop of its own at load, which runs
// long enough for V8 to optimise it (~25M instructions, as much as compiling the module); Buffer.from decodes
// the same bytes natively. Ids hash with it in every plan, the CLI's and the pool workers'.
const base64Loop = /module2\.exports = __toBinary\(("[A-Za-z0-9+/=]+")\)/
const nativeBase64 = {
  name: "blake2b-wasm-native-base64",
  setup: (b) =>
    b.onLoad({ filter: /[\\/]blake2b-wasm[\\/]blake2b\.js$/ }, (args) => {
      const text = readFileSync(args.path, "utf8")
      if (!base64Loop.test(text)) {
        return stalePatch("blake2b-wasm-native-base64", args.path, "its module decoded with __toBinary")
      }
      applied.add("blake2b-wasm-native-base64")
      return { contents: text.replace(base64Loop, "module2.exports = Buffer.from($1, \"base64\")"), loader: "js" }
    })
}
// @effect/cli's internal/files.js (config files given to a command: JSON, YAML, INI, TOML) imports yaml, ini and
// toml at the top, so every start initialised all three, --help included; cohort's commands parse no such file.
// Each parser is required when a file is parsed (the same functions of the same modules).
const parserImports = /^import \* as (Ini|Toml|Yaml) from "(ini|toml|yaml)";$/gm
const lazyFileParsers = {
  name: "effect-cli-lazy-file-parsers",
  setup: (b) =>
    b.onLoad({ filter: /[\\/]@effect[\\/]cli[\\/]dist[\\/]esm[\\/]internal[\\/]files\.js$/ }, (args) => {
      const text = readFileSync(args.path, "utf8")
      const contents = text.replace(
        parserImports,
        (_, local, pkg) => `const ${local} = { parse: (content) => require("${pkg}").parse(content) };`
      )
      if ((contents.match(/require\("(ini|toml|yaml)"\)/g) ?? []).length !== 3) {
        return stalePatch("effect-cli-lazy-file-parsers", args.path, "its imports of yaml, ini and toml")
      }
      applied.add("effect-cli-lazy-file-parsers")
      return { contents, loader: "js" }
    })
}
/**
 * A patch whose text is no longer in its module (the dependency changed) fails the build, naming the patch
 * and what it missed: bundled unpatched, the CLI would still work but silently lose the start-up time the
 * patch saves (each patch's comment says how much), and nothing would say so. Update the patch (or drop it,
 * with a bench run showing it no longer saves anything) when a dependency is upgraded.
 */
const stalePatch = (name, file, missing) => ({
  errors: [{ text: `bundle-cli: patch ${name} no longer matches ${file}: it has no ${missing}; update the patch` }]
})
/**
 * A plugin that makes exact replacements in one dependency's module (`file`: its path under node_modules), each
 * of which must match exactly once; when one does not (the dependency changed), the build fails (stalePatch).
 */
const exactPatch = (name, file, replacements) => ({
  name,
  setup: (b) =>
    b.onLoad(
      { filter: new RegExp(`[\\\\/]${file.split("/").map((p) => p.replace(/[.]/g, "\\.")).join("[\\\\/]")}$`) },
      (args) => {
        let contents = readFileSync(args.path, "utf8")
        for (const [from, to] of replacements) {
          if (contents.split(from).length !== 2) {
            return stalePatch(name, args.path, JSON.stringify(from.slice(0, 80)))
          }
          contents = contents.replace(from, () => to)
        }
        applied.add(name)
        return { contents, loader: "js" }
      }
    )
})
// effect's internal/logger.js reads process.stdout at load (for the pretty logger's colours), which creates
// the stream (for a pipe, node:net and a socket) at every start, a plan to a file included; cohort logs with
// logfmt to stderr. Each fact about stdout is read when a pretty logger is first made, and the default pretty
// logger is made on its first log: the same answers, asked later.
const lazyStdoutFacts = exactPatch("effect-logger-lazy-stdout", "effect/dist/esm/internal/logger.js", [
  [
    `const hasProcessStdout = typeof process === "object" && process !== null && typeof process.stdout === "object" && process.stdout !== null;
const processStdoutIsTTY = hasProcessStdout && process.stdout.isTTY === true;
const hasProcessStdoutOrDeno = hasProcessStdout || "Deno" in globalThis;`,
    `let stdoutFacts;
const processStdoutFacts = () => stdoutFacts ??= (() => {
  const has = typeof process === "object" && process !== null && typeof process.stdout === "object" && process.stdout !== null;
  return { isTTY: has && process.stdout.isTTY === true, hasOrDeno: has || "Deno" in globalThis };
})();`
  ],
  ["hasProcessStdoutOrDeno ? \"tty\"", "processStdoutFacts().hasOrDeno ? \"tty\""],
  ["processStdoutIsTTY || isBrowser", "processStdoutFacts().isTTY || isBrowser"],
  [
    `globalValue("effect/Logger/prettyLoggerDefault", () => prettyLogger())`,
    `globalValue("effect/Logger/prettyLoggerDefault", () => {
  let made;
  return makeLogger(options => (made ??= prettyLogger()).log(options));
})`
  ]
])
// effect's internal/clock.js looks at the global `performance` and fixes its nanosecond origin with it at load;
// the global's first use loads node's perf_hooks modules, at every start, and no command of ours asks the Clock
// for nanoseconds. Both are done on the first such request instead (the same checks and computation).
const lazyClockOrigin = exactPatch("effect-clock-lazy-origin", "effect/dist/esm/internal/clock.js", [
  [
    `  if (typeof performance === "undefined" || typeof performance.now !== "function") {
    return () => BigInt(Date.now()) * bigint1e6;
  }
  let origin;
  return () => {
    if (origin === undefined) {`,
    `  let origin;
  return () => {
    if (typeof performance === "undefined" || typeof performance.now !== "function") {
      return BigInt(Date.now()) * bigint1e6;
    }
    if (origin === undefined) {`
  ],
  [
    `const origin = /*#__PURE__*/performanceNowNanos() - /*#__PURE__*/processHrtime.bigint();
  return () => origin + processHrtime.bigint();`,
    `let origin;
  return () => (origin ??= performanceNowNanos() - processHrtime.bigint()) + processHrtime.bigint();`
  ]
])
// @effect/cli's parser renders each matched command's help and usage (its whole HelpDoc) to make its built-in
// options (--help, --wizard, ...), on every run; the help is needed only when --help is the built-in given.
const lazyBuiltInHelp = exactPatch(
  "effect-cli-lazy-builtin-help",
  "@effect/cli/dist/esm/internal/commandDescriptor.js",
  [
    [
      `const help = getHelpInternal(self, config);
              const usage = getUsageInternal(self);
              const options = InternalBuiltInOptions.builtInOptions(self, usage, help);`,
      `const options = InternalOptions.map(InternalBuiltInOptions.builtInOptions(self, undefined, undefined), builtIn => Option.map(builtIn, b => InternalBuiltInOptions.isShowHelp(b) ? InternalBuiltInOptions.showHelp(getUsageInternal(self), getHelpInternal(self, config)) : b));`
    ]
  ]
)
// @effect/platform-node-shared's file system imports node:crypto (~15 modules of node's, a tenth of --help's work
// above the floor) for the random names of temp files, and its terminal node:readline for prompts: both are
// required on their first use instead (the same functions).
const lazyNodeCrypto = exactPatch(
  "platform-node-lazy-crypto",
  "@effect/platform-node-shared/dist/esm/internal/fileSystem.js",
  [
    [
      `import * as Crypto from "node:crypto";`,
      `const Crypto = { randomBytes: size => require("node:crypto").randomBytes(size) };`
    ]
  ]
)
const lazyNodeReadline = exactPatch(
  "platform-node-lazy-readline",
  "@effect/platform-node-shared/dist/esm/internal/terminal.js",
  [
    [
      `import * as readline from "node:readline";`,
      `const readline = {
  createInterface: options => require("node:readline").createInterface(options),
  emitKeypressEvents: (stream, rl) => require("node:readline").emitKeypressEvents(stream, rl)
};`
    ]
  ]
)
const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  minifySyntax: true,
  logLevel: "warning",
  plugins: [knownStackCheck, nativeBase64]
}

// The pool's worker threads run a small bundle of their own, beside the CLI's (new URL("./PoolWorker.js")):
// plan's evaluation rows, a build's metadata reads and writes, status's probes.
for (const worker of ["parallel/PoolWorker"]) {
  await build({
    ...common,
    entryPoints: [`dist/${worker}.js`],
    outfile: `dist/${worker.split("/")[1]}.js`,
    format: "esm",
    // CommonJS dependencies inside an ESM bundle still call require().
    banner: {
      js:
        "import { createRequire as __createRequire } from \"node:module\"; const require = __createRequire(import.meta.url);"
    }
  })
}

// `cohort report`'s charts: Vega and Vega-Lite (~1 MB) in a bundle of their own, required on demand
// (src/report/RenderLoader.ts), so that the other commands do not compile them.
// vega-canvas's Node build awaits import("canvas") at its top level, which CommonJS cannot hold; its browser
// build is the same without node-canvas, which the SVG renderer does not use (text is measured by estimate).
const canvasFree = {
  name: "vega-canvas-without-node-canvas",
  setup: (b) =>
    b.onResolve(
      { filter: /^vega-canvas$/ },
      () => ({
        path: fileURLToPath(import.meta.resolve("vega-canvas")).replace(
          /vega-canvas\.node\.js$/,
          "vega-canvas.browser.js"
        )
      })
    )
}
await build({
  ...common,
  plugins: [...common.plugins, canvasFree],
  entryPoints: ["dist/report/RenderCharts.js"],
  outfile: "dist/RenderCharts.cjs",
  format: "cjs"
})
// Our modules import Effect's namespaces from its barrel (`import { Effect, Schema } from "effect"`). Once
// import() makes a part of the bundle load on demand, esbuild wraps modules in lazy initialisers, and the
// barrel's initialiser runs every Effect module in the bundle (Schema, Channel, Stream, ...), needed or not,
// on every start. Read from the namespaces' own modules (`import * as Effect from "effect/Effect"`, the same
// objects), each module initialises when something that runs needs it.
const effectIndex = readFileSync(fileURLToPath(import.meta.resolve("effect")), "utf8")
const effectNamespaces = new Set([...effectIndex.matchAll(/export \* as (\w+) from "\.\/(\w+)\.js"/g)].map((m) => m[1]))
const effectDeep = (text) =>
  text.replace(/^import \{([^}]*)\} from "effect";$/gm, (_, list) => {
    const names = list.split(",").map((n) => n.trim()).filter((n) => n !== "")
    const deep = names.filter((n) => effectNamespaces.has(n.split(/\s+as\s+/)[0]))
    const rest = names.filter((n) => !deep.includes(n))
    return [
      ...deep.map((n) => {
        const [name, local = name] = n.split(/\s+as\s+/)
        return `import * as ${local} from "effect/${name}";`
      }),
      ...(rest.length > 0 ? [`import { ${rest.join(", ")} } from "effect";`] : [])
    ].join(" ")
  })
// The same for our own barrels (dist/index.js, errors/index.js): cli/ and http/ import the package's entry
// point, whose initialiser would run every module it re-exports (the build's program, arquero's tables, every
// tagged error's Schema) for a plan that needs none of them. Each named import, and each name passed on from a
// barrel (cli/Numbers.ts's `export { formatCount } from "../index.js"`, which ran all of the package's modules
// at every start, --help included), is read from the module that defines it, following re-exports
// (`export { a, b as c } from "./x.js"`) through barrels; a name a barrel defines itself, and import() of a
// barrel, still load the barrel.
const reExportsOf = new Map()
const reExports = (file) => {
  let map = reExportsOf.get(file)
  if (map !== undefined) return map
  map = new Map()
  reExportsOf.set(file, map)
  for (const m of readFileSync(file, "utf8").matchAll(/^export \{([^}]*)\} from "(\.[^"]+)";$/gm)) {
    const target = join(dirname(file), m[2])
    for (const entry of m[1].split(",").map((n) => n.trim()).filter((n) => n !== "")) {
      const [name, exported = name] = entry.split(/\s+as\s+/)
      map.set(exported, { file: target, name })
    }
  }
  return map
}
/** Where `name`, exported by `file`, is defined: a module and its own name there. */
const definitionOf = (file, name) => {
  const next = reExports(file).get(name)
  return next === undefined ? { file, name } : definitionOf(next.file, next.name)
}
const deepImports = {
  name: "deep-imports",
  setup: (b) =>
    b.onLoad({ filter: /[\\/]dist[\\/].*\.js$/ }, (args) => {
      if (args.path.includes("node_modules")) return undefined
      const text = readFileSync(args.path, "utf8")
      const contents = text.replace(
        /^(import|export) \{([^}]*)\} from "(\.[^"]*\/index\.js)";$/gm,
        (whole, kind, list, barrel) => {
          const barrelFile = join(dirname(args.path), barrel)
          return list.split(",").map((n) => n.trim()).filter((n) => n !== "").map((entry) => {
            const [name, local = name] = entry.split(/\s+as\s+/)
            const def = definitionOf(barrelFile, name)
            let spec = relative(dirname(args.path), def.file).split("\\").join("/")
            if (!spec.startsWith(".")) spec = `./${spec}`
            return `${kind} { ${def.name === local ? local : `${def.name} as ${local}`} } from "${spec}";`
          }).join(" ")
        }
      )
      return { contents: effectDeep(contents), loader: "js", resolveDir: dirname(args.path) }
    })
}
const renderChartsExternal = {
  name: "render-charts-external",
  setup: (b) => b.onResolve({ filter: /\/RenderCharts\.js$/ }, (args) => ({ path: args.path, external: true }))
}

// CommonJS, so that the loader can run it through vm.Script with a code cache. The check below is of this
// bundle's patches alone: the worker's and the charts' bundles applied some of the same ones.
applied.clear()
await build({
  ...common,
  plugins: [
    ...common.plugins,
    lazyFileParsers,
    lazyStdoutFacts,
    lazyClockOrigin,
    lazyBuiltInHelp,
    lazyNodeCrypto,
    lazyNodeReadline,
    renderChartsExternal,
    deepImports
  ],
  entryPoints: ["dist/main.js"],
  outfile: "dist/cli.cjs",
  format: "cjs",
  define: { "import.meta.url": "__importMetaUrl" },
  // No comments or indentation: a third less to read, and pure ASCII (comments kept "→", "µ", which made
  // V8 hold the whole source as a two-byte string).
  minifyWhitespace: true,
  banner: { js: "const __importMetaUrl = require(\"node:url\").pathToFileURL(__filename).href;" }
})
// A patch whose module the bundle no longer holds (moved or renamed by a dependency) never ran: as stale as
// one whose text no longer matches.
const unapplied = [
  knownStackCheck,
  nativeBase64,
  lazyFileParsers,
  lazyStdoutFacts,
  lazyClockOrigin,
  lazyBuiltInHelp,
  lazyNodeCrypto,
  lazyNodeReadline
].map((p) => p.name).filter((name) => !applied.has(name))
if (unapplied.length > 0) {
  console.error(`bundle-cli: no module of the CLI's bundle matched patch ${unapplied.join(", ")}; update the patch`)
  process.exit(1)
}
copyFileSync("scripts/cli-loader.mjs", "dist/main.js")
// tsc's map was of the main.js the loader replaces.
rmSync("dist/main.js.map", { force: true })
chmodSync("dist/main.js", 0o755)
// Caches of earlier builds (of this bundle or another Node version) are stale.
for (const name of readdirSync("dist")) {
  if (name.startsWith("cli.cjs.") && name.endsWith(".cache")) rmSync(`dist/${name}`)
}

// Warm-up: plan the bundled example, then keep V8's code for what ran (a local artifact that `files`
// leaves out of the package). A failure only costs speed.
const dir = mkdtempSync(join(tmpdir(), "cohort-warm-"))
try {
  const warm = spawnSync(process.execPath, [
    "dist/main.js",
    "plan",
    "examples/data/cohorts/daydream-pilot/spec/config.yaml",
    "--cohort-id",
    "warm-up",
    "--out",
    join(dir, "membership.csv")
  ], { env: { ...process.env, COHORT_WRITE_CODE_CACHE: "1" }, stdio: ["ignore", "ignore", "inherit"] })
  if (warm.status !== 0) console.warn("bundle-cli: no code cache (the warm-up run failed)")
} finally {
  rmSync(dir, { recursive: true, force: true })
}

// Last: the build is complete (scripts/build-if-stale.mjs compares sources with this file's time).
writeFileSync("dist/.build-stamp", `${new Date().toISOString()}\n`)
