import { type PyJson, pyJsonStr } from "./PythonJson.js"
import { pyIntOfText, pyStrip } from "./PythonText.js"
import { PyFloat } from "./SpecValue.js"
import type { Stage } from "./Stage.js"

// REFERENCE §5: the canonical signature hashed into a gen id, written once. Each text part is trimmed
// (Python's str.strip) and lower-cased, the replicate is the integer; the parts are joined by `|`:
//   draft:      combo_id | draft_template | draft_llm | replicate
//   essay:      draft_gen_id | essay_template | replicate          (the essay LLM is not part of it)
//   evaluation: essay_gen_id | evaluation_template | evaluation_llm | replicate
// Collision candidate i ≥ 1 hashes `canonical + "|collision:" + i`.

/** A signature part: a text (trimmed and lower-cased) or the replicate (an integer, or its digits). */
export type SignaturePart = string | number | bigint

/** How a text part enters a signature: trimmed as Python's `str.strip()` does, then lower-cased. */
export const normalizePart = (text: string): string => pyStrip(text).toLowerCase()

/** How the replicate enters a signature: the integer's decimal digits (a text is taken as its digits). */
const replicatePart = (replicate: Replicate): string =>
  typeof replicate === "string" ? replicate : replicateDigits(replicate)

/**
 * A replicate's decimal digits, as Python's `str(int)` prints them: all digits even where JS's `String`
 * would switch to exponent form (a number ≥ 1e21).
 */
export const replicateDigits = (replicate: number | bigint): string => {
  if (typeof replicate === "bigint") return String(replicate)
  const whole = Math.trunc(replicate)
  return Number.isFinite(whole) && !Number.isSafeInteger(whole) ? String(BigInt(whole)) : String(whole)
}

/** A replicate as a signature takes it: a number, a bigint (beyond 2^31 − 1), or its digits. */
export type Replicate = number | bigint | string

/** A text normalizer: `normalizePart`, or the identity for parts normalized already (memoized by a caller). */
export type Normalize = (text: string) => string

/** The draft signature: `combo_id|draft_template|draft_llm|replicate`. */
export const draftSignature = (
  comboId: string,
  templateId: string,
  llmModelId: string,
  replicate: Replicate,
  norm: Normalize = normalizePart
): string => `${norm(comboId)}|${norm(templateId)}|${norm(llmModelId)}|${replicatePart(replicate)}`

/** The essay signature: `draft_gen_id|essay_template|replicate` (the essay LLM is not part of it). */
export const essaySignature = (
  draftGenId: string,
  templateId: string,
  replicate: Replicate,
  norm: Normalize = normalizePart
): string => `${norm(draftGenId)}|${norm(templateId)}|${replicatePart(replicate)}`

/** The evaluation signature: `essay_gen_id|evaluation_template|evaluation_llm|replicate`. */
export const evaluationSignature = (
  essayGenId: string,
  templateId: string,
  llmModelId: string,
  replicate: Replicate,
  norm: Normalize = normalizePart
): string => `${norm(essayGenId)}|${norm(templateId)}|${norm(llmModelId)}|${replicatePart(replicate)}`

/** What candidate `collisionIndex` (1..4) of a canonical signature hashes. */
export const collisionSignature = (canonical: string, collisionIndex: number): string =>
  `${canonical}|collision:${collisionIndex}`

/**
 * Any parts, normalized and joined by `|` (the stage signatures above are this on their parts, in their
 * order; `computeGenId` takes parts in this form).
 */
export const canonicalSignature = (parts: ReadonlyArray<SignaturePart>): string =>
  parts.map((part) => (typeof part === "string" ? normalizePart(part) : replicatePart(part))).join("|")

/**
 * The canonical signature recorded by an existing `metadata.json`, rebuilt as the original does
 * (`signature_from_metadata`), or undefined when it cannot be (which counts as a different signature).
 */
export const signatureOfMetadata = (stage: Stage, metadata: unknown): string | undefined => {
  if (typeof metadata !== "object" || metadata === null) return undefined
  const m = metadata as Record<string, unknown>
  const rep = replicateOfMetadata(m["replicate"])
  if (rep === undefined) return undefined
  // `metadata.get("template_id") or metadata.get(...)`: the fallback is taken only when the first is falsy.
  const either = (a: unknown, b: unknown): string | undefined => metadataText(pyTruthy(a) ? a : b)
  if (stage === "draft") {
    const [combo, template, llm] = [m["combo_id"], m["template_id"], m["llm_model_id"]].map(metadataText)
    return combo && template && llm ? draftSignature(combo, template, llm, rep) : undefined
  }
  const parent = metadataText(m["parent_gen_id"])
  if (stage === "essay") {
    const template = either(m["template_id"], m["essay_template"])
    return parent && template ? essaySignature(parent, template, rep) : undefined
  }
  const template = either(m["template_id"], m["evaluation_template"])
  const llm = metadataText(m["llm_model_id"])
  return parent && template && llm ? evaluationSignature(parent, template, llm, rep) : undefined
}

/** A metadata value as a signature text (`str()` of it, stripped), or undefined when absent or blank. */
const metadataText = (v: unknown): string | undefined => {
  if (v === undefined || v === null) return undefined
  const t = pyStrip(pyJsonStr(v as PyJson))
  return t === "" ? undefined : t
}

const pyTruthy = (v: unknown): boolean =>
  !(v === undefined || v === null || v === false || v === 0 || v === "" || (v instanceof PyFloat && v.value === 0) ||
    (Array.isArray(v) && v.length === 0) || (typeof v === "object" && Object.keys(v as object).length === 0))

const DIGITS = /^\p{Nd}+$/u

/**
 * The replicate `signature_from_metadata` reads, as its digits: none is 1; a text `str.isdigit()` accepts
 * is `int()` of it (any decimal digits: "١" is 1; "²" makes int() raise, so no signature); a number or a
 * bool is `int()` of it (`true` is 1, `2.9` is 2); anything else has no signature.
 */
export const replicateOfMetadata = (raw: unknown): string | undefined => {
  if (raw === undefined || raw === null) return "1"
  if (typeof raw === "boolean") return raw ? "1" : "0"
  if (typeof raw === "number") return Number.isFinite(raw) ? String(BigInt(Math.trunc(raw))) : undefined
  if (typeof raw === "bigint") return String(raw)
  if (raw instanceof PyFloat) return Number.isFinite(raw.value) ? String(BigInt(Math.trunc(raw.value))) : undefined
  if (typeof raw !== "string") return undefined
  const digits = pyStrip(raw)
  return DIGITS.test(digits) ? String(pyIntOfText(digits)) : undefined
}
