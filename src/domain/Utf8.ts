// UTF-8 as every reader of ours takes it: strictly (a malformed byte is refused, never replaced).

const strict = new TextDecoder("utf-8", { fatal: true })
const strictKeepingBom = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })

/** Bytes as UTF-8 text (a leading BOM dropped unless `keepBom`), or undefined when they are not UTF-8. */
export const decodeUtf8 = (bytes: Uint8Array, keepBom = false): string | undefined => {
  try {
    return (keepBom ? strictKeepingBom : strict).decode(bytes)
  } catch {
    return undefined
  }
}

/** What a reader reports for bytes `decodeUtf8` refuses. */
export const NOT_UTF8 = "not valid UTF-8 text"
