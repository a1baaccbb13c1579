import { PyJsonError, readMetadataJson } from "../domain/PythonJson.js"
import { signatureOfMetadata } from "../domain/Signature.js"
import type { Stage } from "../domain/Stage.js"
import { Unreadable } from "./MetadataReader.js"

/** What a generation folder holds for a signature: no metadata, its metadata, or another's. */
export const FREE = 0
export const SAME = 1
export const OTHER = 2
/** Metadata that is there but unreadable (not a regular file, not JSON, no signature): counts as OTHER. */
export const UNREADABLE = 3
export type Verdict = typeof FREE | typeof SAME | typeof OTHER | typeof UNREADABLE

/** What a folder's metadata text (as `MetadataReader.read` gives it) is for `canonical`. */
export const verdictOf = (
  stage: Stage,
  text: string | undefined | Unreadable,
  canonical: string
): Verdict | Unreadable => {
  if (text === undefined) return FREE
  if (text instanceof Unreadable) return text
  const metadata = readMetadataJson(text)
  if (metadata instanceof PyJsonError) {
    return new Unreadable(
      text.trim() === "" ? "empty" : text.startsWith("\ufeff") ? "starts with a BOM (not JSON)" : "not JSON"
    )
  }
  const signature = signatureOfMetadata(stage, metadata)
  if (signature === undefined) return new Unreadable("records no signature")
  return signature === canonical ? SAME : OTHER
}
