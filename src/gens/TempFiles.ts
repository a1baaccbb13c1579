import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as nodePath from "node:path"
import { TEMP_FILE_NAME, tempFileName } from "../domain/TempFileName.js"

// Temp files of this process, and the sweep of those of dead ones (the names: domain/TempFileName.ts).

/** The tag of a temp file of this call: 8 random hex digits. */
export const randomTag = (): string => randomBytes(4).toString("hex")

/** The temp-file name beside a file named `target` (a base name), written by this process. */
export const tempName = (target: string, tag: string = randomTag()): string => tempFileName(target, process.pid, tag)

/** What a temp-file name says: the target's base name, the pid that wrote it and its tag. */
export interface TempName {
  readonly target: string
  readonly pid: number
  readonly tag: string
}

/** The parts of a temp-file name `tempName` makes (or older builds made), else undefined. */
export const parseTempName = (name: string): TempName | undefined => {
  const match = TEMP_FILE_NAME.exec(name)
  return match === null ? undefined : { target: match[1]!, pid: Number(match[2]), tag: match[3]! }
}

/** Whether a tag is one of a single call (8 hex digits), as artifacts and the lock write them. */
export const isCallTag = (tag: string): boolean => /^[0-9a-f]{8}$/.test(tag)

/** Is a process with this pid alive (so its temp files are still in use)? */
export const processAlive = (pid: number): boolean => {
  if (pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/** Removes the metadata temp files of dead processes from one generation folder. */
export const sweepMetadataTemps = (dir: string): void => {
  for (const name of fs.readdirSync(dir)) {
    const temp = parseTempName(name)
    if (temp?.target === "metadata.json" && !processAlive(temp.pid)) {
      fs.rmSync(nodePath.join(dir, name), { force: true })
    }
  }
}
