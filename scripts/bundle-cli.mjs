// Bundles the CLI entry (dist/main.js, compiled by tsc) into one file: loading ~600 ESM modules of
// effect, @effect/platform-node and @effect/cli took ~0.9 s of every run; the bundle starts in ~0.25 s.
import { build } from "esbuild"

// plan's worker thread runs its own small bundle, beside the CLI's (new URL("./EvaluationWorker.js")).
await build({
  entryPoints: ["dist/cli/EvaluationWorker.js"],
  outfile: "dist/EvaluationWorker.js",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  minifySyntax: true,
  logLevel: "warning",
  banner: { js: "import { createRequire as __createRequire } from \"node:module\"; const require = __createRequire(import.meta.url);" }
})

await build({
  entryPoints: ["dist/main.js"],
  outfile: "dist/main.js",
  allowOverwrite: true,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  minifySyntax: true,
  logLevel: "warning",
  // CommonJS dependencies inside an ESM bundle still call require().
  banner: { js: "import { createRequire as __createRequire } from \"node:module\"; const require = __createRequire(import.meta.url);" }
})
