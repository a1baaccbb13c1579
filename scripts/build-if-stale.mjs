// `npm start` rebuilds only when a source is newer than the last build: a full build takes ~18 s, the
// example build it then runs ~0.6 s. The build writes dist/.build-stamp last; anything that feeds the
// build (sources, scripts, package and TypeScript configuration) newer than it means a rebuild.
import { spawnSync } from "node:child_process"
import { readdirSync, statSync } from "node:fs"
import { join } from "node:path"

const STAMP = "dist/.build-stamp"
const INPUTS = ["src", "scripts", "package.json", "package-lock.json", "tsconfig.json", "tsconfig.build.json"]

const newest = (path) => {
  let info
  try {
    info = statSync(path)
  } catch {
    return 0
  }
  if (!info.isDirectory()) return info.mtimeMs
  return readdirSync(path).reduce((m, name) => Math.max(m, newest(join(path, name))), info.mtimeMs)
}

let built = 0
try {
  built = statSync(STAMP).mtimeMs
} catch {
  built = 0
}
if (built === 0 || INPUTS.some((input) => newest(input) > built)) {
  const run = spawnSync("npm", ["run", "build", "--silent"], { stdio: "inherit", shell: process.platform === "win32" })
  process.exit(run.status ?? 1)
}
