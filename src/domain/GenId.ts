import { Effect } from "effect"
import { createBLAKE2b, type IHasher } from "hash-wasm"
import { pyStrip } from "./PythonText.js"
import type { Stage } from "./Stage.js"

export const GEN_ID_PREFIX: Readonly<Record<Stage, string>> = { draft: "d_", essay: "e_", evaluation: "v_" }

/** A signature part: a text (trimmed and lower-cased) or the replicate (an integer). */
export type SignaturePart = string | number

/** The canonical text hashed into a gen id: parts normalized as the original does, joined by `|`. */
export const canonicalSignature = (parts: ReadonlyArray<SignaturePart>): string => {
  let out = ""
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!
    const text = typeof part === "number" ? String(Math.trunc(part)) : pyStrip(part).toLowerCase()
    out = i === 0 ? text : `${out}|${text}`
  }
  return out
}

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
const TWO_32 = 4294967296
const TWO_40 = 1099511627776

// base36 of the 80-bit big-endian digest without BigInt: two 40-bit limbs, long division by 36.
const base36 = (d: Uint8Array): string => {
  let hi = d[0]! * TWO_32 + ((d[1]! << 24) >>> 0) + (d[2]! << 16) + (d[3]! << 8) + d[4]!
  let lo = d[5]! * TWO_32 + ((d[6]! << 24) >>> 0) + (d[7]! << 16) + (d[8]! << 8) + d[9]!
  if (hi === 0 && lo === 0) return "0"
  let out = ""
  while (hi > 0 || lo > 0) {
    const r = hi % 36
    hi = (hi - r) / 36
    const cur = r * TWO_40 + lo
    const r2 = cur % 36
    lo = (cur - r2) / 36
    out = ALPHABET[r2]! + out
  }
  return out
}

/**
 * A synchronous gen-id hasher for hot loops. It reuses one BLAKE2b instance, so it is not
 * reentrant: use it from one fiber at a time (every call completes synchronously).
 */
export interface GenIdHasher {
  /** The id of an already canonical signature. */
  readonly idOf: (stage: Stage, canonical: string, collisionIndex?: number) => string
  /** `computeGenId`, synchronously. */
  readonly compute: (stage: Stage, parts: ReadonlyArray<SignaturePart>, collisionIndex?: number) => string
}

const fromHasher = (hasher: IHasher): GenIdHasher => {
  const idOf = (stage: Stage, canonical: string, collisionIndex = 0): string => {
    hasher.init()
    hasher.update(collisionIndex > 0 ? `${canonical}|collision:${collisionIndex}` : canonical)
    const id = GEN_ID_PREFIX[stage] + base36(hasher.digest("binary"))
    return collisionIndex > 0 ? `${id}-${collisionIndex}` : id
  }
  return {
    idOf,
    compute: (stage, parts, collisionIndex) => idOf(stage, canonicalSignature(parts), collisionIndex)
  }
}

let shared: Promise<GenIdHasher> | undefined

/** The process-wide hasher (the WebAssembly module loads once). */
export const GenIdHasher: Effect.Effect<GenIdHasher> = Effect.promise(() => {
  shared ??= createBLAKE2b(80).then(fromHasher)
  return shared
})

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
