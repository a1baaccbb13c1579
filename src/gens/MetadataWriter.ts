import * as fs from "node:fs"
import * as nodePath from "node:path"
import { echoed } from "../domain/TerminalText.js"
import { isRegularFile } from "./MetadataReader.js"
import { randomTag, sweepMetadataTemps, tempName } from "./TempFiles.js"

/**
 * Creates metadata files: each is written to a temp file beside it and hard-linked into place (the link
 * never replaces an existing file). A crash leaves at worst a temp file, removed when a later build finds
 * the folder without metadata, or harmless (dot-named) beside complete metadata.
 */
export class MetadataWriter {
  // Its temp files are tagged `<tag>-<seq>`: the tag, random per writer, keeps a reused pid's names apart
  // (see TempFiles.ts).
  private readonly tag = randomTag()
  private seq = 0
  /** `<sep>` + the temp-file name up to its sequence number (built once: a build makes 600k of them). */
  private readonly tempPrefix = `${nodePath.sep}${tempName("metadata.json", this.tag).slice(0, -".tmp".length)}-`

  /**
   * Creates `<dir>/metadata.json` with `content` unless it exists (as a regular file): whether it wrote.
   * `dir` is a normalized path without a trailing separator (names are concatenated to it).
   * Throws the file-system error (with its path) on failure, leaving no temp file behind.
   */
  create(dir: string, content: string): boolean {
    try {
      fs.mkdirSync(dir)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
      // A folder that existed without metadata may hold the temp file of a build that was killed.
      sweepMetadataTemps(dir)
    }
    // The temp file sits in the new, tiny generation folder: one shared temp folder churned by
    // hundreds of thousands of files made every create several times slower.
    // Concatenated, not joined: `dir` is a normalized folder path (the store's stage folder + a checked id).
    const temp = `${dir}${this.tempPrefix}${this.seq++}.tmp`
    writeTemp(temp, content)
    const target = `${dir}${nodePath.sep}metadata.json`
    try {
      fs.linkSync(temp, target)
      return true
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
      // Something that is not a regular file holds the name: the generation would have no metadata.
      if (!isRegularFile(target)) {
        throw Object.assign(new Error(`metadata.json is in the way and is not a regular file: ${echoed(target)}`), {
          path: target
        })
      }
      return false
    } finally {
      fs.unlinkSync(temp)
    }
  }
}

/** Writes a new temp file; a disk that fills mid-write leaves a partial one, removed before the error is thrown. */
const writeTemp = (temp: string, content: string): void => {
  try {
    fs.writeFileSync(temp, content, { flag: "wx" })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
      try {
        fs.rmSync(temp, { force: true })
      } catch {
        // The write's error is the one to report.
      }
    }
    throw error
  }
}
