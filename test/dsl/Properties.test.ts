import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect, FastCheck } from "effect"
import { tmpdir } from "node:os"
import { designRecords } from "../../src/domain/Design.js"
import { compileDesign, type Design, estimateRows, layoutDesign, parseSpec } from "../../src/index.js"

/**
 * Properties of compiled designs (REFERENCE §3) over generated specs: row counts against an independent
 * computation, determinism, the seeded shuffle, and rule order.
 */

type Level = string | number
type Row = ReadonlyArray<unknown>

// `1` and `"1"` are different levels; repeats are de-duplicated keeping the first.
const level = FastCheck.constantFrom<Level>("x", "y", "z", "w", 1, "1")
const levelKey = (v: Level) => `${typeof v}:${v}`
const distinct = <A>(values: ReadonlyArray<A>, key: (a: A) => string): Array<A> => {
  const seen = new Set<string>()
  return values.filter((v) => {
    const k = key(v)
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}
const pairKey = (p: readonly [Level, Level]) => `${levelKey(p[0])}|${levelKey(p[1])}`

/** The raw choices a spec is built from; `buildCase` turns them into a spec and its expected row count. */
const choices = FastCheck.record({
  axes: FastCheck.array(FastCheck.array(level, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 }),
  subset: FastCheck.option(
    FastCheck.record({
      axis: FastCheck.nat(3),
      mask: FastCheck.array(FastCheck.boolean(), { minLength: 4, maxLength: 4 }),
      stray: FastCheck.boolean()
    }),
    { nil: undefined }
  ),
  tuple: FastCheck.option(FastCheck.array(FastCheck.tuple(level, level), { minLength: 1, maxLength: 4 }), {
    nil: undefined
  }),
  pair: FastCheck.option(
    FastCheck.record({
      left: FastCheck.nat(3),
      right: FastCheck.nat(3),
      picks: FastCheck.array(FastCheck.tuple(FastCheck.nat(3), FastCheck.nat(3)), { minLength: 1, maxLength: 4 })
    }),
    { nil: undefined }
  )
})

type Choices = typeof choices extends FastCheck.Arbitrary<infer A> ? A : never

interface Case {
  readonly data: Record<string, unknown>
  /** The product of the post-rule domain sizes, computed here without the compiler. */
  readonly expectedRows: number
  readonly strayWarning: boolean
}

const buildCase = (c: Choices): Case => {
  const names = c.axes.map((_, i) => `a${i}`)
  const domains = new Map(names.map((name, i) => [name, distinct(c.axes[i]!, levelKey)]))
  const rules: Record<string, Record<string, unknown>> = {}

  if (c.subset !== undefined) {
    const axis = names[c.subset.axis % names.length]!
    const levels = domains.get(axis)!
    const kept = levels.filter((_, i) => c.subset!.mask[i % c.subset!.mask.length])
    const keep = kept.length > 0 ? kept : [levels[0]!]
    // A value that is not a level only warns; put it in the middle of the keep-list.
    rules["subsets"] = { [axis]: c.subset.stray ? [keep[0]!, "stray", ...keep.slice(1)] : keep }
    domains.set(axis, keep)
  }

  // A tuple over two derived axes: one synthetic axis of the distinct items.
  let tupleSize = 1
  if (c.tuple !== undefined) {
    rules["tuples"] = { tp: { axes: ["d0", "d1"], items: c.tuple.map(([l, r]) => [l, r]) } }
    tupleSize = distinct(c.tuple, pairKey).length
  }

  let pairSize = 1
  if (c.pair !== undefined && names.length >= 2) {
    const left = names[c.pair.left % names.length]!
    const right = names[(c.pair.left + 1 + (c.pair.right % (names.length - 1))) % names.length]!
    const ld = domains.get(left)!
    const rd = domains.get(right)!
    const allowed = c.pair.picks.map(([i, j]) => [ld[i % ld.length]!, rd[j % rd.length]!] as const)
    rules["pairs"] = { pr: { left, right, allowed: allowed.map(([l, r]) => [l, r]) } }
    pairSize = distinct(allowed, pairKey).length
    domains.delete(left)
    domains.delete(right)
  }

  const expectedRows = Array.from(domains.values()).reduce((n, d) => n * d.length, 1) * tupleSize * pairSize
  return {
    data: {
      axes: Object.fromEntries(names.map((name, i) => [name, c.axes[i]])),
      ...(Object.keys(rules).length === 0 ? {} : { rules }),
      output: { field_order: [...names].reverse() }
    },
    expectedRows,
    strayWarning: c.subset?.stray === true
  }
}

const rowsOf = (design: Design): Array<Row> => {
  const out: Array<Row> = []
  design.forEachRow((row) => {
    out.push([...row])
  })
  return out
}

const multiset = (rows: ReadonlyArray<Row>) => rows.map((row) => JSON.stringify(row)).sort()

const fromData = (data: unknown) => parseSpec({ data, baseDir: tmpdir(), source: "<property>" })

const RUNS = { fastCheck: { numRuns: 50, seed: 1201 } }

layer(NodeContext.layer)("spec properties", (it) => {
  it.effect.prop("row count = product of the post-rule domain sizes", [choices], ([c]) =>
    Effect.gen(function*() {
      const { data, expectedRows, strayWarning } = buildCase(c)
      const spec = yield* fromData(data)
      const design = yield* compileDesign(spec)
      expect(design.size).toBe(expectedRows)
      expect(rowsOf(design)).toHaveLength(expectedRows)
      expect(yield* estimateRows(spec)).toBe(expectedRows)
      const plan = yield* layoutDesign(spec)
      expect(plan.warnings.some((w) => w.includes("\"stray\""))).toBe(strayWarning)
    }), RUNS)

  it.effect.prop("compiling twice gives identical rows", [choices], ([c]) =>
    Effect.gen(function*() {
      const { data } = buildCase(c)
      const first = yield* compileDesign(yield* fromData(data))
      const second = yield* compileDesign(yield* fromData(data))
      expect(second.columns).toEqual(first.columns)
      expect(rowsOf(second)).toEqual(rowsOf(first))
    }), RUNS)

  it.effect.prop(
    "a seeded shuffle is a permutation of the unshuffled rows",
    [choices, FastCheck.bigInt({ min: 0n, max: 1n << 40n })],
    ([c, seed]) =>
      Effect.gen(function*() {
        const spec = yield* fromData(buildCase(c).data)
        const plain = rowsOf(yield* compileDesign(spec))
        const shuffled = yield* compileDesign(spec, { seed: Number(seed) })
        const rows = rowsOf(shuffled)
        expect(shuffled.size).toBe(plain.length)
        expect(multiset(rows)).toEqual(multiset(plain))
        if (plain.length <= 1) expect(rows).toEqual(plain)
        // bigint and number seeds shuffle alike
        expect(rowsOf(yield* compileDesign(spec, { seed }))).toEqual(rows)
      }),
    RUNS
  )

  const orderCase = FastCheck.record({
    left: FastCheck.uniqueArray(level, { minLength: 1, maxLength: 3, selector: levelKey }),
    items: FastCheck.uniqueArray(FastCheck.tuple(level, level), { minLength: 1, maxLength: 3, selector: pairKey }),
    picks: FastCheck.array(FastCheck.tuple(FastCheck.nat(2), FastCheck.nat(2)), { minLength: 1, maxLength: 4 })
  })

  it.effect.prop("rule sections run in the order written", [orderCase], ([c]) =>
    Effect.gen(function*() {
      const allowed = c.picks.map(([i, j]): [Level, [Level, Level]] => [
        c.left[i % c.left.length]!,
        [...c.items[j % c.items.length]!]
      ])
      const tuples = { tp: { axes: ["b", "c"], items: c.items.map((item) => [...item]) } }
      const pairs = { pr: { left: "a", right: "tp", allowed } }
      const axes = { a: c.left }
      const output = { field_order: ["a", "b", "c"] }

      const design = yield* compileDesign(yield* fromData({ axes, rules: { tuples, pairs }, output }))
      const expected = distinct(allowed, (p) => JSON.stringify(p)).map(([l, [b, cc]]) => ({ a: l, b, c: cc }))
      expect(design.columns).toEqual(["a", "b", "c"])
      expect(designRecords(design)).toEqual(expected)

      const error = yield* Effect.flip(
        Effect.flatMap(fromData({ axes, rules: { pairs, tuples }, output }), (spec) => compileDesign(spec))
      )
      expect(error._tag).toBe("InvalidSpec")
      expect(error.path).toBe("<property>")
      expect(error.key).toBe("rules.pairs.pr.right")
      expect(error.value).toBe("\"tp\"")
      expect(error.message).toContain("rules.pairs.pr.right")
    }), RUNS)

  it.effect("a pair whose side names a tied axis keeps every tied column", () =>
    Effect.gen(function*() {
      const spec = yield* fromData({
        axes: { a: ["x", "y"], b: ["x", "y"], c: [1, 2] },
        rules: {
          ties: { t: ["a", "b"] },
          pairs: { p: { left: "a", right: "c", allowed: [["x", 1], ["y", 2]] } }
        },
        output: { field_order: ["a", "b", "c"] }
      })
      const design = yield* compileDesign(spec)
      expect(design.columns).toEqual(["a", "b", "c"])
      expect(designRecords(design)).toEqual([{ a: "x", b: "x", c: 1 }, { a: "y", b: "y", c: 2 }])
    }))

  it.effect("a tie keeps its own column and restores every tied axis", () =>
    Effect.gen(function*() {
      const spec = yield* fromData({
        axes: { a: ["x", "y", "z"], n: [1, 2], b: ["z", "x"] },
        rules: { ties: { t: { axes: ["a", "b"] } } },
        output: { field_order: [] }
      })
      const design = yield* compileDesign(spec)
      expect(design.columns).toEqual(["t", "n", "a", "b"])
      expect(designRecords(design)).toEqual([
        { t: "x", n: 1, a: "x", b: "x" },
        { t: "x", n: 2, a: "x", b: "x" },
        { t: "z", n: 1, a: "z", b: "z" },
        { t: "z", n: 2, a: "z", b: "z" }
      ])
    }))
})
