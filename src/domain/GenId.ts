import { Effect } from "effect"
import { hasControlCharacter } from "./ControlCharacters.js"
import * as IdHasher from "./IdHasher.js"
import { normalizePart, type SignaturePart } from "./Signature.js"
import type { Stage } from "./Stage.js"

export { canonicalSignature, type SignaturePart } from "./Signature.js"

/**
 * A synchronous gen-id hasher for hot loops. It reuses one BLAKE2b state, so it is not
 * reentrant: use it from one fiber at a time (every call completes synchronously).
 */
export interface GenIdHasher extends IdHasher.GenIdHasher {}

/** The prefix of each stage's gen ids. */
export const GEN_ID_PREFIX: Readonly<Record<Stage, string>> = { draft: "d_", essay: "e_", evaluation: "v_" }

/** `normalizePart` of one text part, memoized (plans repeat few distinct texts). */
export const makePartNormalizer = () => {
  const cache = new Map<string, string>()
  return (text: string): string => {
    let out = cache.get(text)
    if (out === undefined) {
      out = normalizePart(text)
      cache.set(text, out)
    }
    return out
  }
}

/** The process-wide hasher (the WebAssembly module loads once). */
export const GenIdHasher: Effect.Effect<GenIdHasher> = Effect.promise(IdHasher.loadGenIdHasher)

/**
 * `gen_id` of a signature exactly as the original computes it:
 * `prefix + base36(blake2b(canonical, digest_size=10))`, with `|collision:i` hashed and `-i` appended
 * for a collision index i ≥ 1.
 *
 * @example computeGenId("draft", [comboId, templateId, llmModelId, replicate])
 */
export const computeGenId = (
  stage: Stage,
  parts: ReadonlyArray<SignaturePart>,
  collisionIndex?: number
): Effect.Effect<string> => Effect.map(GenIdHasher, (hasher) => hasher.compute(stage, parts, collisionIndex))

/** Why a text cannot be a generation folder name (a path outside `gens/<stage>/`), or nothing. */
export const genIdProblem = (genId: string): string | undefined => {
  if (genId === "") return "a gen id must not be empty"
  if (genId.includes("/") || genId.includes("\\")) return "a gen id must not contain / or \\"
  if (genId.startsWith(".")) return "a gen id must not start with a dot"
  if (hasControlCharacter(genId)) return "a gen id must not contain control characters"
  if (genId.length > 200) return "a gen id must be at most 200 characters"
  return undefined
}
