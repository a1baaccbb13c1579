// Temp files, named once: every file we write is first written beside its target as
// `.<target>.<pid>.<tag>.tmp` and renamed into place. The tag is 8 hex digits, random per call
// (artifacts, the lock) or random per store plus a sequence number (`<8 hex>-<seq>`, metadata files,
// where hundreds of thousands are made); builds before the tag wrote `.metadata.json.<pid>.<seq>.tmp`.
// The pid is what a sweep judges: a temp file of a process that is gone is left over.

/** The temp-file name beside a file named `target` (a base name), written by process `pid` with `tag`. */
export const tempFileName = (target: string, pid: number, tag: string): string => `.${target}.${pid}.${tag}.tmp`

/** The tags `tempFileName` is given (or older builds used). */
const TAG = String.raw`[0-9a-f]{8}(?:-\d+)?|\d+`

/** A whole temp-file name: target, pid and tag captured. */
export const TEMP_FILE_NAME = new RegExp(String.raw`^\.(.+)\.(\d+)\.(${TAG})\.tmp$`)

/**
 * Temp-file names inside a path or a system message, each with the separator before it (`$1`) and its
 * target's name (`$2`).
 */
export const TEMP_FILE_NAMES_IN_TEXT = new RegExp(
  String.raw`(^|[/\\])\.([^/\\\s'"]+?)\.\d+\.(?:${TAG})\.tmp(?![\w.])`,
  "g"
)
