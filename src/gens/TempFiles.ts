import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as nodePath from "node:path"

// Temp files, named once: every file we write is first written beside its target as
// `.<target>.<pid>.<tag>.tmp` and renamed into place. The tag is 8 hex digits, random per call
// (artifacts, the lock) or random per store plus a sequence number (`<8 hex>-<seq>`, metadata files,
// where hundreds of thousands are made); builds before the tag wrote `.metadata.json.<pid>.<seq>.tmp`.
// The pid is what a sweep judges: a temp file of a process that is gone is left over.

/** The tag of a temp file of this call: 8 random hex digits. */
export const randomTag = (): string => randomBytes(4).toString("hex")

/** The temp-file name beside a file named `target` (a base name), written by this process. */
export const tempName = (target: string, tag: string = randomTag()): string => `.${target}.${process.pid}.${tag}.tmp`

/** What a temp-file name says: the target's base name, the pid that wrote it and its tag. */
export interface TempName {
  readonly target: string
  readonly pid: number
  readonly tag: string
}

const TEMP_NAME = /^\.(.+)\.(\d+)\.([0-9a-f]{8}(?:-\d+)?|\d+)\.tmp$/

/** The parts of a temp-file name `tempName` makes (or older builds made), else undefined. */
export const parseTempName = (name: string): TempName | undefined => {
  const match = TEMP_NAME.exec(name)
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
