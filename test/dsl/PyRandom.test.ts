import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { PyRandom } from "../../src/dsl/PyRandom.js"

interface SeedVectors {
  readonly getrandbits32_first5: Array<number>
  readonly getrandbits_k_1_5_31_33_64_in_order: Array<number | string>
  readonly shuffle_range20: Array<number>
  readonly shuffle_range1000_first10: Array<number>
}

interface Fixture {
  readonly about: string
  readonly seeds: Readonly<Record<string, SeedVectors>>
}

const fixture: Fixture = JSON.parse(
  readFileSync(new URL("../fixtures/python-random-vectors.json", import.meta.url), "utf8")
)

const MIXED_KS = [1, 5, 31, 33, 64] as const
const KNOWN_KEYS = [
  "getrandbits32_first5",
  "getrandbits_k_1_5_31_33_64_in_order",
  "shuffle_range20",
  "shuffle_range1000_first10"
]

const range = (n: number): Array<number> => Array.from({ length: n }, (_, i) => i)

const seedOf = (key: string): number | bigint => {
  const big = BigInt(key)
  return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big
}

/** Python: `s = (s * 1000003 + x) & 0xffffffff` over the list. */
const checksum = (xs: ArrayLike<number>): number => {
  let s = 0
  for (let i = 0; i < xs.length; i++) s = (Math.imul(s, 1000003) + xs[i]!) >>> 0
  return s
}

describe("PyRandom against the Python 3.11 fixture", () => {
  it("fixture has only the keys this suite checks", () => {
    expect(Object.keys(fixture.seeds).length).toBeGreaterThan(0)
    for (const vectors of Object.values(fixture.seeds)) {
      expect(Object.keys(vectors).sort()).toEqual([...KNOWN_KEYS].sort())
    }
  })

  for (const [key, vectors] of Object.entries(fixture.seeds)) {
    describe(`seed ${key}`, () => {
      it("getrandbits(32) first values", () => {
        const rng = new PyRandom(seedOf(key))
        const got = vectors.getrandbits32_first5.map(() => Number(rng.getrandbits(32)))
        expect(got).toEqual(vectors.getrandbits32_first5)
      })

      it("genrandUint32 matches getrandbits(32)", () => {
        const rng = new PyRandom(seedOf(key))
        expect(vectors.getrandbits32_first5.map(() => rng.genrandUint32())).toEqual(vectors.getrandbits32_first5)
      })

      it("getrandbits with k = 1, 5, 31, 33, 64 in order", () => {
        const rng = new PyRandom(seedOf(key))
        const got = MIXED_KS.map((k) => rng.getrandbits(k))
        expect(got).toEqual(vectors.getrandbits_k_1_5_31_33_64_in_order.map((v) => BigInt(v)))
      })

      it("shuffle of range(20)", () => {
        const items = range(20)
        new PyRandom(seedOf(key)).shuffle(items)
        expect(items).toEqual(vectors.shuffle_range20)
      })

      it("shuffle of range(1000), first 10", () => {
        const items = range(1000)
        new PyRandom(seedOf(key)).shuffle(items)
        expect(items.slice(0, 10)).toEqual(vectors.shuffle_range1000_first10)
      })

      it("shuffleIndices agrees with shuffle", () => {
        for (const n of [0, 1, 2, 20, 1000]) {
          const items = range(n)
          new PyRandom(seedOf(key)).shuffle(items)
          expect(Array.from(new PyRandom(seedOf(key)).shuffleIndices(n))).toEqual(items)
        }
      })

      it("the bigint form of the seed gives the same stream", () => {
        const a = new PyRandom(seedOf(key))
        const b = new PyRandom(BigInt(key))
        expect(range(700).map(() => a.genrandUint32())).toEqual(range(700).map(() => b.genrandUint32()))
      })
    })
  }
})

interface ExtraVectors {
  readonly seed: bigint
  readonly g32: Array<number>
  readonly mixed: Array<string>
  readonly first10: Array<number>
  readonly last10: Array<number>
  readonly checksum: number
}

const EXTRA_KS = [0, 1, 32, 53, 64, 96, 100] as const

const EXTRA: Array<ExtraVectors> = [
  {
    seed: 2n ** 64n + 3n,
    g32: [3921169615, 2134766284, 3962962676, 423737322, 3563206199],
    mixed: [
      "0",
      "1",
      "2134766284",
      "888641286439668",
      "8614312194280142391",
      "15116761887889933612056850120",
      "499695095129778932077607637952"
    ],
    first10: [468, 229, 850, 129, 893, 177, 571, 790, 522, 739],
    last10: [2, 270, 195, 21, 478, 849, 101, 944, 508, 934],
    checksum: 301151312
  },
  {
    seed: 2n ** 53n + 1n,
    g32: [1512486810, 1330909561, 1448587154, 2377310546, 507670485],
    mixed: [
      "0",
      "0",
      "1330909561",
      "4985582305914770",
      "7264015644918706133",
      "13478824078079970625308468723",
      "1191172737408754901126444173634"
    ],
    first10: [973, 381, 827, 797, 967, 523, 709, 298, 271, 226],
    last10: [384, 174, 409, 141, 403, 121, 566, 345, 317, 360],
    checksum: 1554753178
  },
  {
    seed: 2n ** 53n - 1n,
    g32: [404802386, 2407860725, 957238923, 3232321614, 821848376],
    mixed: [
      "0",
      "0",
      "2407860725",
      "6778670531104395",
      "16889682287858051384",
      "7676726844446176928501545452",
      "35506207445945988198265189527"
    ],
    first10: [73, 640, 298, 128, 592, 336, 324, 427, 553, 542],
    last10: [22, 99, 119, 150, 937, 195, 770, 228, 574, 96],
    checksum: 3451659492
  },
  {
    seed: 2n ** 100n + 12345n,
    g32: [1910715478, 278772827, 1297592944, 2561083672, 2982097399],
    mixed: [
      "0",
      "0",
      "278772827",
      "5370982455292528",
      "14074849943575540215",
      "12323812272287358295922946473",
      "56128846393846002370824563675"
    ],
    first10: [231, 982, 110, 276, 841, 631, 551, 289, 977, 177],
    last10: [469, 159, 968, 1, 781, 710, 610, 309, 66, 455],
    checksum: 3679161592
  }
]

describe("PyRandom against extra Python 3.11 vectors", () => {
  for (const v of EXTRA) {
    describe(`seed ${v.seed}`, () => {
      it("getrandbits(32) first values", () => {
        const rng = new PyRandom(v.seed)
        expect(v.g32.map(() => Number(rng.getrandbits(32)))).toEqual(v.g32)
      })

      it("getrandbits with k = 0, 1, 32, 53, 64, 96, 100 in order", () => {
        const rng = new PyRandom(v.seed)
        expect(EXTRA_KS.map((k) => rng.getrandbits(k))).toEqual(v.mixed.map((s) => BigInt(s)))
      })

      it("shuffle and shuffleIndices of range(1000)", () => {
        const items = range(1000)
        new PyRandom(v.seed).shuffle(items)
        expect(items.slice(0, 10)).toEqual(v.first10)
        expect(items.slice(-10)).toEqual(v.last10)
        expect(checksum(items)).toBe(v.checksum)
        expect(Array.from(new PyRandom(v.seed).shuffleIndices(1000))).toEqual(items)
      })
    })
  }

  it("a safe-integer seed as number equals the same seed as bigint", () => {
    const a = new PyRandom(Number.MAX_SAFE_INTEGER)
    const b = new PyRandom(2n ** 53n - 1n)
    expect(range(1000).map(() => a.genrandUint32())).toEqual(range(1000).map(() => b.genrandUint32()))
  })

  it("seed 0 shuffle of range(1000) checksum", () => {
    const items = range(1000)
    new PyRandom(0).shuffle(items)
    expect(checksum(items)).toBe(1679233784)
  })

  it("randbelow follows _randbelow_with_getrandbits across bit widths", () => {
    const rng = new PyRandom(42)
    const ns = [1, 2, 3, 7, 1000, 2 ** 31, 2 ** 31 + 1, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 10 ** 12, 2 ** 53 - 1]
    expect(ns.map((n) => rng.randbelow(n))).toEqual([
      0,
      0,
      2,
      2,
      250,
      958682846,
      599310825,
      3163119785,
      2342331444,
      2536146025,
      30201276659,
      1969315922078042
    ])
  })

  it("shuffleIndices(2_500_000) for seed 20251126 matches Python", () => {
    const out = new PyRandom(20251126).shuffleIndices(2_500_000)
    expect(Array.from(out.subarray(0, 10))).toEqual([
      145204,
      1108079,
      639497,
      2190880,
      1248265,
      1580451,
      1232370,
      1863456,
      823747,
      1062277
    ])
    expect(Array.from(out.subarray(-10))).toEqual([
      1745536,
      1424734,
      1712237,
      312676,
      1511674,
      583717,
      2021972,
      673262,
      2397675,
      1807427
    ])
    expect(checksum(out)).toBe(3933655248)
  })
})

describe("PyRandom argument checks", () => {
  it("rejects a negative or non-integer number seed", () => {
    expect(() => new PyRandom(-1)).toThrow(RangeError)
    expect(() => new PyRandom(1.5)).toThrow(RangeError)
    expect(() => new PyRandom(Number.NaN)).toThrow(RangeError)
    expect(() => new PyRandom(Number.POSITIVE_INFINITY)).toThrow(RangeError)
    expect(() => new PyRandom(2 ** 53)).toThrow(RangeError)
    expect(() => new PyRandom(-1n)).toThrow(RangeError)
  })

  it("rejects invalid k and n", () => {
    const rng = new PyRandom(0)
    expect(() => rng.getrandbits(-1)).toThrow(RangeError)
    expect(() => rng.getrandbits(1.5)).toThrow(RangeError)
    expect(() => rng.randbelow(0)).toThrow(RangeError)
    expect(() => rng.randbelow(2 ** 53)).toThrow(RangeError)
    expect(() => rng.shuffleIndices(-1)).toThrow(RangeError)
  })
})
