const N = 624
const M = 397
const MATRIX_A = 0x9908b0df
const UPPER_MASK = 0x80000000
const LOWER_MASK = 0x7fffffff
const TWO_POW_32 = 4294967296

const seedKey = (seed: number | bigint): Array<number> => {
  if (typeof seed === "number") {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new RangeError(`PyRandom seed must be a non-negative safe integer, got ${seed}`)
    }
    const low = seed >>> 0
    const high = Math.floor(seed / TWO_POW_32)
    return high === 0 ? [low] : [low, high]
  }
  if (seed < 0n) {
    throw new RangeError(`PyRandom seed must be non-negative, got ${seed}`)
  }
  const key: Array<number> = []
  let rest = seed
  do {
    key.push(Number(rest & 0xffffffffn))
    rest >>= 32n
  } while (rest > 0n)
  return key
}

/**
 * A port of CPython 3.11's `random.Random(seed)` for non-negative integer seeds: the MT19937 state, seeding through
 * `init_by_array` on the seed's 32-bit words, `getrandbits`, `_randbelow_with_getrandbits` and `shuffle`, all
 * producing the same streams as Python.
 */
export class PyRandom {
  private readonly mt = new Uint32Array(N)
  private index = N

  /**
   * Seeds the generator as `random.Random(seed)` does for an int. A `number` seed must be a non-negative safe
   * integer; larger seeds are given as a non-negative `bigint`.
   *
   * @throws RangeError for a negative, fractional, non-finite or unsafe seed.
   */
  constructor(seed: number | bigint) {
    this.initByArray(seedKey(seed))
  }

  /** The next tempered 32-bit output of MT19937 (CPython's `genrand_uint32`). */
  genrandUint32(): number {
    const mt = this.mt
    if (this.index >= N) {
      let kk = 0
      let y: number
      for (; kk < N - M; kk++) {
        y = (mt[kk]! & UPPER_MASK) | (mt[kk + 1]! & LOWER_MASK)
        mt[kk] = mt[kk + M]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0)
      }
      for (; kk < N - 1; kk++) {
        y = (mt[kk]! & UPPER_MASK) | (mt[kk + 1]! & LOWER_MASK)
        mt[kk] = mt[kk + (M - N)]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0)
      }
      y = (mt[N - 1]! & UPPER_MASK) | (mt[0]! & LOWER_MASK)
      mt[N - 1] = mt[M - 1]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0)
      this.index = 0
    }
    let y = mt[this.index++]!
    y ^= y >>> 11
    y ^= (y << 7) & 0x9d2c5680
    y ^= (y << 15) & 0xefc60000
    y ^= y >>> 18
    return y >>> 0
  }

  /**
   * `random.getrandbits(k)`: a uniform integer in [0, 2^k). Words are drawn least significant first and the most
   * significant one keeps only its high `k % 32` bits, as CPython does.
   *
   * @throws RangeError when `k` is negative or not an integer.
   */
  getrandbits(k: number): bigint {
    if (!Number.isSafeInteger(k) || k < 0) {
      throw new RangeError(`getrandbits: k must be a non-negative integer, got ${k}`)
    }
    if (k === 0) return 0n
    if (k <= 32) return BigInt(this.genrandUint32() >>> (32 - k))
    let result = 0n
    let shift = 0n
    for (let left = k; left > 0; left -= 32) {
      let word = this.genrandUint32()
      if (left < 32) word >>>= 32 - left
      result |= BigInt(word) << shift
      shift += 32n
    }
    return result
  }

  /**
   * `random._randbelow(n)` (`_randbelow_with_getrandbits`): draws `getrandbits(n.bit_length())` until the value is
   * below `n`. Integers up to 2^53 - 1 are handled without BigInt.
   *
   * @throws RangeError when `n` is not a positive safe integer (Python would loop forever on 0).
   */
  randbelow(n: number): number {
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new RangeError(`randbelow: n must be a positive safe integer, got ${n}`)
    }
    if (n < TWO_POW_32) return this.randbelow32(n)
    const highShift = Math.clz32(Math.floor(n / TWO_POW_32))
    let r: number
    do {
      const low = this.genrandUint32()
      const high = this.genrandUint32() >>> highShift
      r = high * TWO_POW_32 + low
    } while (r >= n)
    return r
  }

  /** `random.shuffle(items)`: shuffles `items` in place exactly as Python 3.11 does for a list of the same length. */
  shuffle<A>(items: Array<A>): void {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.randbelow32(i + 1)
      const item = items[i]!
      items[i] = items[j]!
      items[j] = item
    }
  }

  /**
   * The permutation `shuffle` would leave in `list(range(n))`, as a typed array: entry `i` is the original index now
   * at position `i`. Consumes the same random draws as `shuffle` on a list of length `n`.
   *
   * @throws RangeError when `n` is not a non-negative integer that fits a `Uint32Array`.
   */
  shuffleIndices(n: number): Uint32Array {
    if (!Number.isSafeInteger(n) || n < 0 || n > TWO_POW_32 - 1) {
      throw new RangeError(`shuffleIndices: n must be an integer in [0, 2^32 - 1], got ${n}`)
    }
    const out = new Uint32Array(n)
    for (let i = 0; i < n; i++) out[i] = i
    for (let i = n - 1; i > 0; i--) {
      const j = this.randbelow32(i + 1)
      const item = out[i]!
      out[i] = out[j]!
      out[j] = item
    }
    return out
  }

  private randbelow32(n: number): number {
    const shift = Math.clz32(n)
    let r = this.genrandUint32() >>> shift
    while (r >= n) r = this.genrandUint32() >>> shift
    return r
  }

  private initGenrand(s: number): void {
    const mt = this.mt
    mt[0] = s
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1]!
      mt[i] = Math.imul(1812433253, prev ^ (prev >>> 30)) + i
    }
    this.index = N
  }

  private initByArray(key: Array<number>): void {
    const mt = this.mt
    const keyLength = key.length
    this.initGenrand(19650218)
    let i = 1
    let j = 0
    for (let k = N > keyLength ? N : keyLength; k > 0; k--) {
      const prev = mt[i - 1]!
      mt[i] = (mt[i]! ^ Math.imul(prev ^ (prev >>> 30), 1664525)) + key[j]! + j
      i++
      j++
      if (i >= N) {
        mt[0] = mt[N - 1]!
        i = 1
      }
      if (j >= keyLength) j = 0
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1]!
      mt[i] = (mt[i]! ^ Math.imul(prev ^ (prev >>> 30), 1566083941)) - i
      i++
      if (i >= N) {
        mt[0] = mt[N - 1]!
        i = 1
      }
    }
    mt[0] = UPPER_MASK
  }
}
