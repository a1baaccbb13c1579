import loadBlake2b, { type Blake2bModule } from "blake2b-wasm/blake2b.js"
import { canonicalSignature, collisionSignature, type SignaturePart } from "./Signature.js"
import type { Stage } from "./Stage.js"

// Gen-id hashing without Effect, so that a worker thread can load it alone.

const DIGITS = Array.from("0123456789abcdefghijklmnopqrstuvwxyz", (c) => c.charCodeAt(0))
const TWO_32 = 4294967296
const QUAD = 1679616 // 36⁴: four base36 digits per division step
const PAIR = 1296 // 36²
const PAIR_HIGH = Uint8Array.from({ length: PAIR }, (_, i) => DIGITS[(i / 36) | 0]!)
const PAIR_LOW = Uint8Array.from({ length: PAIR }, (_, i) => DIGITS[i % 36]!)
const ZERO = 48
const out36 = Buffer.alloc(24)

const PREFIX_CODE: Readonly<Record<Stage, number>> = { draft: 100, essay: 101, evaluation: 118 } // d, e, v
const UNDERSCORE = 95

/**
 * Writes `prefix + base36(digest)` right to left into `out36`, ending at its end; returns where it
 * starts. The 80-bit big-endian digest is converted without BigInt: limbs of 16, 32 and 32 bits are
 * divided by 36⁴ (four digits per step), every intermediate below 2^53.
 */
const writeIdDigits = (stage: Stage, d: Uint8Array): number => {
  let a = (d[0]! << 8) | d[1]!
  let b = ((d[2]! << 24) | (d[3]! << 16) | (d[4]! << 8) | d[5]!) >>> 0
  let c = ((d[6]! << 24) | (d[7]! << 16) | (d[8]! << 8) | d[9]!) >>> 0
  let p = out36.length
  for (;;) {
    const qa = (a / QUAD) | 0
    let r = a - qa * QUAD
    a = qa
    let cur = r * TWO_32 + b
    const qb = Math.floor(cur / QUAD)
    r = cur - qb * QUAD
    b = qb
    cur = r * TWO_32 + c
    const qc = Math.floor(cur / QUAD)
    r = cur - qc * QUAD
    c = qc
    // r is four digits: two pairs, each looked up.
    const high = (r / PAIR) | 0
    const low = r - high * PAIR
    out36[--p] = PAIR_LOW[low]!
    out36[--p] = PAIR_HIGH[low]!
    out36[--p] = PAIR_LOW[high]!
    out36[--p] = PAIR_HIGH[high]!
    if (a === 0 && b === 0 && c === 0) {
      // The leading group has no leading zeros (but keeps at least one digit).
      while (out36[p] === ZERO && p < out36.length - 1) p++
      break
    }
  }
  out36[--p] = UNDERSCORE
  out36[--p] = PREFIX_CODE[stage]
  return p
}

/** The id of a digest as one flat string (a concatenation would be flattened again on output). */
const idString = (stage: Stage, d: Uint8Array): string => {
  const p = writeIdDigits(stage, d)
  return out36.toString("latin1", p, out36.length)
}

/** Writes the id of a digest (ASCII) into `out` at `pos`; returns the position after it. */
export const writeIdBytes = (stage: Stage, d: Uint8Array, out: Uint8Array, pos: number): number => {
  let p = writeIdDigits(stage, d)
  let at = pos
  while (p < out36.length) out[at++] = out36[p++]!
  return at
}

/**
 * A synchronous gen-id hasher for hot loops. It reuses one BLAKE2b state, so it is not
 * reentrant: use it from one fiber at a time (every call completes synchronously).
 */
export interface GenIdHasher {
  /** The id of an already canonical signature. */
  readonly idOf: (stage: Stage, canonical: string, collisionIndex?: number) => string
  /** `computeGenId`, synchronously. */
  readonly compute: (stage: Stage, parts: ReadonlyArray<SignaturePart>, collisionIndex?: number) => string
  /**
   * Low level, for loops that build canonical bytes themselves: `input` is where to put them (at most
   * `input.length` bytes), `digestOf(n)` hashes the first n; its result is valid until the next call.
   */
  readonly input: Uint8Array
  readonly digestOf: (length: number) => Uint8Array
}

// blake2b-wasm's WebAssembly module, driven through its exports: the text is encoded straight into the
// module's memory and the digest read from it, so hashing allocates nothing (hash-wasm's wrapper made
// four typed arrays per call: 1.1 µs per id against 0.3 µs here).
const PARAMS = 0 // the parameter block blake2b_init reads (bytes 0-63)
const STATE = 64 // one hash state (216 bytes); its digest is at +128
const INPUT = 280 // the text to hash
const INPUT_BYTES = 1 << 19 // within the module's initial 640 KiB
const DIGEST_BYTES = 10

const fromModule = (wasm: Blake2bModule): GenIdHasher => {
  const memory = Buffer.from(wasm.memory.buffer)
  memory.fill(0, PARAMS, STATE)
  memory[PARAMS] = DIGEST_BYTES
  memory[PARAMS + 2] = 1 // fanout
  memory[PARAMS + 3] = 1 // depth
  const digest = memory.subarray(STATE + 128, STATE + 128 + DIGEST_BYTES)
  const hash = (text: string): Uint8Array => {
    wasm.blake2b_init(STATE, DIGEST_BYTES)
    if (text.length * 3 <= INPUT_BYTES) {
      wasm.blake2b_update(STATE, INPUT, INPUT + memory.write(text, INPUT, "utf8"))
    } else {
      const bytes = Buffer.from(text, "utf8")
      for (let at = 0; at < bytes.length; at += INPUT_BYTES) {
        const chunk = bytes.subarray(at, at + INPUT_BYTES)
        memory.set(chunk, INPUT)
        wasm.blake2b_update(STATE, INPUT, INPUT + chunk.length)
      }
    }
    wasm.blake2b_final(STATE)
    return digest
  }
  const idOf = (stage: Stage, canonical: string, collisionIndex = 0): string => {
    if (collisionIndex === 0) return idString(stage, hash(canonical))
    return `${idString(stage, hash(collisionSignature(canonical, collisionIndex)))}-${collisionIndex}`
  }
  return {
    idOf,
    compute: (stage, parts, collisionIndex) => idOf(stage, canonicalSignature(parts), collisionIndex),
    input: memory.subarray(INPUT, INPUT + INPUT_BYTES),
    digestOf: (length) => {
      wasm.blake2b_init(STATE, DIGEST_BYTES)
      wasm.blake2b_update(STATE, INPUT, INPUT + length)
      wasm.blake2b_final(STATE)
      return digest
    }
  }
}

// Kept as module state on purpose, and no hidden cache in the seed's sense: it holds no result of any
// call, only the loaded WebAssembly module (code plus scratch memory, which every call resets before use
// and which calls never share, each being synchronous), so which caller loaded it first changes no id.
// Without it every caller (each `computeGenId` call, each registry) would instantiate the module anew: a
// fresh 640 KiB memory and ~0.07 ms each (measured; the first load, compiling it, ~13 ms), for no difference
// a caller could observe. Per thread: a worker has its own (parallel/PoolWorker.ts).
let shared: Promise<GenIdHasher> | undefined

/** The process-wide hasher (the WebAssembly module loads once per thread). */
export const loadGenIdHasher = (): Promise<GenIdHasher> => {
  shared ??= loadBlake2b().then(fromModule)
  return shared
}
