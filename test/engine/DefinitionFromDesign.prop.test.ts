import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Effect, Either, FastCheck, Schema } from "effect"
import type { CohortDefinition } from "../../src/domain/CohortDefinition.js"
import { FIELD_ALIASES, REPLICATE_FIELDS, TEXT_FIELDS } from "../../src/domain/DefinitionFromRows.js"
import { definitionFromRows } from "../../src/domain/DefinitionFromRows.js"
import { designRecords } from "../../src/domain/Design.js"
import type { SpecValue } from "../../src/domain/SpecValue.js"
import { designOf } from "../../src/dsl/DesignRows.js"
import { definitionFromDesign, definitionFromDesignRows } from "../../src/engine/DefinitionFromDesign.js"
import type { InvalidSpec } from "../../src/errors/InvalidSpec.js"

/**
 * The fast path (interned texts, integer columns, level indices) against the plain rule of
 * REFERENCE §4 (`domain/DefinitionFromRows.ts`): the same definition, or the same first error.
 * Seeds are fixed so a failure replays.
 */

// Texts: mostly usable, some blank or padded (stripped), some with control characters (refused).
const Text = Schema.Union(
  Schema.Literal("a", "b", "c", " a ", "b\t"),
  Schema.Literal("", "   ", "x\u0001y", "\u007f", "1"),
  Schema.Int.pipe(Schema.between(0, 2)),
  Schema.Null
)
// Replicates: whole numbers as numbers or text, blank (default 1), and refused ones.
const Replicate = Schema.Union(
  Schema.Literal("1", "2", " 3 ", "", "0", "-1", "1.5", "x", "2147483647", "2147483648"),
  Schema.Int.pipe(Schema.between(-1, 3)),
  Schema.BigIntFromSelf.pipe(Schema.betweenBigInt(1n, 2n)),
  Schema.Boolean,
  Schema.Null
)
const GoodText = Schema.Literal("a", "b", " b ")

const aliasKeys = (fields: ReadonlyArray<keyof typeof FIELD_ALIASES>) => fields.flatMap((f) => FIELD_ALIASES[f])

/** A row with every required field present and usable, and any alias or replicate beside it. */
const CleanRow = Schema.Struct({
  ...Object.fromEntries(TEXT_FIELDS.map((f) => [f, GoodText])),
  ...Object.fromEntries(
    aliasKeys(TEXT_FIELDS).filter((k) => !(TEXT_FIELDS as ReadonlyArray<string>).includes(k)).map((k) => [
      k,
      Schema.optional(Text)
    ])
  ),
  ...Object.fromEntries(aliasKeys(REPLICATE_FIELDS).map((k) => [k, Schema.optional(Schema.Literal("1", "2", "", 3))]))
})

/** A row where any key may be missing and any value bad. */
const MessyRow = Schema.Struct({
  ...Object.fromEntries(aliasKeys(TEXT_FIELDS).map((k) => [k, Schema.optional(Text)])),
  ...Object.fromEntries(aliasKeys(REPLICATE_FIELDS).map((k) => [k, Schema.optional(Replicate)]))
})

type Row = Record<string, SpecValue>

const shown = (either: Either.Either<CohortDefinition, InvalidSpec>) =>
  Either.match(either, {
    onLeft: (e) => ({ error: { _tag: e._tag, path: e.path, key: e.key, reason: e.reason, value: e.value } }),
    onRight: (d) => ({ drafts: [...d.drafts], essays: [...d.essays], evaluations: [...d.evaluations] })
  })

const bothWays = (rows: ReadonlyArray<Row>) =>
  Effect.gen(function*() {
    const plain = shown(yield* Effect.either(definitionFromRows(rows, "<p>")))
    const fast = shown(yield* Effect.either(definitionFromDesignRows(rows, { source: "<p>" })))
    expect(fast).toEqual(plain)
    return plain
  })

describe("definitionFromDesign (the fast path) equals definitionFromRows (the plain rule)", () => {
  it.effect.prop(
    "on rows that make a definition",
    [Schema.Array(CleanRow).pipe(Schema.maxItems(40))],
    ([rows]) =>
      Effect.gen(function*() {
        const result = yield* bothWays(rows as ReadonlyArray<Row>)
        // The clean rows only fail on an alias with a control character or a bad replicate.
        if (!("error" in result)) expect(result.evaluations.length).toBeLessThanOrEqual(rows.length)
      }),
    { fastCheck: { numRuns: 150, seed: 1301 } }
  )

  it.effect.prop(
    "on rows with missing fields, blanks, control characters and bad replicates (the same first error)",
    [Schema.Array(MessyRow).pipe(Schema.maxItems(12))],
    ([rows]) => Effect.asVoid(bothWays(rows as ReadonlyArray<Row>)),
    { fastCheck: { numRuns: 150, seed: 1302 } }
  )

  // A compiled design is read by level indices (no row of values): the same as its rows read as records.
  const axis = (schema: Schema.Schema.Any) =>
    FastCheck.uniqueArray(Arbitrary.make(schema) as FastCheck.Arbitrary<SpecValue>, {
      minLength: 1,
      maxLength: 3,
      selector: (v) => typeof v === "bigint" ? `n${v}` : JSON.stringify(v)
    })
  const designCase = FastCheck.record({
    texts: FastCheck.tuple(...TEXT_FIELDS.map(() => axis(Schema.Union(GoodText, Text)))),
    replicate: FastCheck.constantFrom(...aliasKeys(REPLICATE_FIELDS)),
    replicates: axis(Replicate),
    seed: FastCheck.option(FastCheck.integer({ min: 0, max: 1000 }), { nil: undefined })
  })

  it.effect.prop(
    "on a compiled design read by level indices, shuffled or not",
    [designCase],
    ([c]) =>
      Effect.gen(function*() {
        const columns = [...TEXT_FIELDS, c.replicate]
        const levels = [...c.texts, c.replicates]
        const size = levels.reduce((n, l) => n * l.length, 1)
        const design = designOf({
          source: "<p>",
          axisOrder: columns,
          levels,
          columns,
          accessors: columns.map((_, axis) => ({ axis, path: [] })),
          size,
          warnings: []
        }, c.seed)
        expect(design.levels).toBeDefined()
        const rows = designRecords(design)
        const plain = shown(yield* Effect.either(definitionFromRows(rows, "<p>")))
        const byLevels = shown(yield* Effect.either(definitionFromDesign(design, "<p>")))
        expect(byLevels).toEqual(plain)
        expect(yield* bothWays(rows)).toEqual(plain)
      }),
    { fastCheck: { numRuns: 100, seed: 1303 } }
  )

  // Product order with the evaluation fields' axes last: rows come in blocks sharing a draft and an essay,
  // the later blocks made from the first one's evaluation fields. Axes no column reads (before and after
  // the evaluation axes) repeat entries; bad values on either side must give the same first error.
  const blockValue = FastCheck.oneof(
    { weight: 6, arbitrary: Arbitrary.make(GoodText) as FastCheck.Arbitrary<SpecValue> },
    { weight: 1, arbitrary: Arbitrary.make(Text) as FastCheck.Arbitrary<SpecValue> }
  )
  const blockReplicate = FastCheck.oneof(
    { weight: 6, arbitrary: FastCheck.constantFrom<SpecValue>("1", "2", 3, "") },
    { weight: 1, arbitrary: Arbitrary.make(Replicate) as FastCheck.Arbitrary<SpecValue> }
  )
  const blockAxis = (value: FastCheck.Arbitrary<SpecValue>) => FastCheck.array(value, { minLength: 1, maxLength: 3 })
  const blockCase = FastCheck.record({
    before: FastCheck.tuple(...[0, 1, 2, 3, 4].map(() => blockAxis(blockValue)), blockAxis(blockReplicate)),
    unreadBefore: FastCheck.integer({ min: 1, max: 2 }),
    after: FastCheck.tuple(blockAxis(blockValue), blockAxis(blockValue), blockAxis(blockReplicate)),
    unreadAfter: FastCheck.integer({ min: 1, max: 2 }),
    evaluationAxes: FastCheck.constantFrom([0, 1, 2], [2, 1, 0], [1, 1, 2], [0, 2, 2])
  })

  it.effect.prop(
    "on a compiled design in product order whose evaluation fields read the last axes (rows in blocks)",
    [blockCase],
    ([c]) =>
      Effect.gen(function*() {
        const columns = [...TEXT_FIELDS, "draft_rep", "evaluation_rep"]
        const before = c.before as ReadonlyArray<ReadonlyArray<SpecValue>>
        const after = c.after as ReadonlyArray<ReadonlyArray<SpecValue>>
        // Axes: the five texts before, the draft replicate, an unread one; then the evaluation fields'
        // axes (one may hold two of them, zipped) and an unread one.
        const evaluationAxes = c.evaluationAxes.map((k) => 7 + k)
        const evaluationLevels = [0, 1, 2].map((k) =>
          evaluationAxes.includes(7 + k)
            ? Array.from({ length: Math.max(...evaluationAxes.map((a, f) => (a === 7 + k ? after[f]!.length : 1))) })
              .map((_, i) => after.map((values) => values[i % values.length]!))
            : [after.map((values) => values[0]!)]
        )
        const levels: Array<ReadonlyArray<SpecValue | ReadonlyArray<SpecValue>>> = [
          ...before,
          Array.from({ length: c.unreadBefore }, (_, i) => i),
          ...evaluationLevels,
          Array.from({ length: c.unreadAfter }, (_, i) => i)
        ]
        const accessors = [
          ...[0, 1, 2, 3, 4].map((axis) => ({ axis, path: [] })),
          { axis: evaluationAxes[0]!, path: [0] },
          { axis: evaluationAxes[1]!, path: [1] },
          { axis: 5, path: [] },
          { axis: evaluationAxes[2]!, path: [2] }
        ]
        const design = designOf({
          source: "<p>",
          axisOrder: levels.map((_, i) => `a${i}`),
          levels: levels as ReadonlyArray<ReadonlyArray<SpecValue>>,
          columns,
          accessors,
          size: levels.reduce((n, l) => n * l.length, 1),
          warnings: []
        })
        expect(design.levels?.axisSizes).toEqual(levels.map((l) => l.length))
        const rows = designRecords(design)
        const plain = shown(yield* Effect.either(definitionFromRows(rows, "<p>")))
        expect(shown(yield* Effect.either(definitionFromDesign(design, "<p>")))).toEqual(plain)
      }),
    { fastCheck: { numRuns: 300, seed: 1305 } }
  )

  // Columns sharing axes (zipped levels), alias columns and every replicate column: rows skip the fields
  // whose axes did not move since the row before (`changed`), which must not change the result.
  const allColumns = [...aliasKeys(TEXT_FIELDS), ...aliasKeys(REPLICATE_FIELDS)]
  const sharedCase = FastCheck.record({
    columns: FastCheck.subarray(allColumns, { minLength: 1 }),
    axisOf: FastCheck.array(FastCheck.integer({ min: 0, max: 2 }), {
      minLength: allColumns.length,
      maxLength: allColumns.length
    }),
    levels: FastCheck.tuple(
      ...[0, 1, 2].map(() =>
        FastCheck.array(
          FastCheck.array(
            FastCheck.oneof(
              Arbitrary.make(GoodText) as FastCheck.Arbitrary<SpecValue>,
              Arbitrary.make(Text) as FastCheck.Arbitrary<SpecValue>,
              FastCheck.constantFrom<SpecValue>("1", "2", 3, "")
            ),
            { minLength: allColumns.length, maxLength: allColumns.length }
          ),
          { minLength: 1, maxLength: 3 }
        )
      )
    ),
    seed: FastCheck.option(FastCheck.integer({ min: 0, max: 1000 }), { nil: undefined })
  })

  it.effect.prop(
    "on a compiled design whose columns share axes, with aliases (read by level indices)",
    [sharedCase],
    ([c]) =>
      Effect.gen(function*() {
        const levels = c.levels as ReadonlyArray<ReadonlyArray<ReadonlyArray<SpecValue>>>
        const design = designOf({
          source: "<p>",
          axisOrder: ["a0", "a1", "a2"],
          levels,
          columns: c.columns,
          accessors: c.columns.map((name) => {
            const k = allColumns.indexOf(name)
            return { axis: c.axisOf[k]!, path: [k] }
          }),
          size: levels.reduce((n, l) => n * l.length, 1),
          warnings: []
        }, c.seed)
        const rows = designRecords(design)
        const plain = shown(yield* Effect.either(definitionFromRows(rows, "<p>")))
        expect(shown(yield* Effect.either(definitionFromDesign(design, "<p>")))).toEqual(plain)
      }),
    { fastCheck: { numRuns: 300, seed: 1304 } }
  )
})
