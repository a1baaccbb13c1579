import { hasControlCharacter } from "../domain/ControlCharacters.js"
import * as fs from "node:fs"
import * as nodePath from "node:path"
import type { Stage } from "../domain/Stage.js"

// Effect-free on purpose: status and purge visit every generation folder of a large store, one
// synchronous readdir each; an Effect per row would cost more than the system call.

/** Files of a generation folder, as bits. */
export const HAS_METADATA = 1
export const HAS_PROMPT = 2
export const HAS_RAW = 4
export const HAS_PARSED = 8

const FILE_BITS: Readonly<Record<string, number>> = {
  "metadata.json": HAS_METADATA,
  "prompt.txt": HAS_PROMPT,
  "raw.txt": HAS_RAW,
  "parsed.txt": HAS_PARSED
}

/** Prefix of the trash name a purge renames a generation folder to before removing it. */
export const TRASH_PREFIX = ".purge-"


/** Why a text cannot be a generation folder name (a path outside `gens/<stage>/`), or nothing. */
export const genIdProblem = (genId: string): string | undefined => {
  if (genId === "") return "a gen id must not be empty"
  if (genId.includes("/") || genId.includes("\\")) return "a gen id must not contain / or \\"
  if (genId.startsWith(".")) return "a gen id must not start with a dot"
  if (hasControlCharacter(genId)) return "a gen id must not contain control characters"
  if (genId.length > 200) return "a gen id must be at most 200 characters"
  return undefined
}

/** The folder names of `gens/<stage>/` (dot-named entries left out), empty when it does not exist. */
export const listStage = (gensRoot: string, stage: Stage): Set<string> => {
  try {
    return new Set(fs.readdirSync(nodePath.join(gensRoot, stage)).filter((name) => !name.startsWith(".")))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return new Set()
    throw error
  }
}

/** Which generation files a folder holds (one readdir); 0 when it does not exist. */
export const probeGeneration = (dir: string): number => {
  let names: Array<string>
  try {
    names = fs.readdirSync(dir)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === "ENOENT" || code === "ENOTDIR") return 0
    throw error
  }
  let bits = 0
  for (const name of names) bits |= FILE_BITS[name] ?? 0
  return bits
}

/** The metadata object of a generation, or undefined when it is missing or not a JSON object. */
export const readMetadata = (file: string): Record<string, unknown> | undefined => {
  let text: string
  try {
    text = fs.readFileSync(file, "utf8")
  } catch {
    return undefined
  }
  try {
    const parsed: unknown = JSON.parse(text)
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? parsed as Record<string, unknown>
      : undefined
  } catch {
    return undefined
  }
}

/** A metadata field as stripped text ("" when absent), as the original's scripts read it. */
export const metadataText = (metadata: Record<string, unknown> | undefined, key: string): string => {
  const value = metadata?.[key]
  return value === undefined || value === null ? "" : String(value).trim()
}

/** Total bytes of the files under a folder (not following symlinks). */
export const folderBytes = (dir: string): number => {
  let total = 0
  let entries: Array<fs.Dirent>
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true })
  } catch {
    return 0
  }
  for (const entry of entries) {
    const full = nodePath.join(dir, entry.name)
    if (entry.isDirectory()) total += folderBytes(full)
    else {
      try {
        total += fs.lstatSync(full).size
      } catch {
        // removed meanwhile
      }
    }
  }
  return total
}
