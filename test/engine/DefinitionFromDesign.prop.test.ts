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
