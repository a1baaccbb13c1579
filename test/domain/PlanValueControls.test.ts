import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { hasControlCharacter } from "../../src/domain/ControlCharacters.js"
import { definitionFromRows, TEXT_FIELDS } from "../../src/domain/DefinitionFromRows.js"
import { designOf } from "../../src/dsl/DesignRows.js"
import { definitionColumns } from "../../src/engine/DefinitionColumns.js"
import { definitionFromDesign, definitionFromDesignRows } from "../../src/engine/DefinitionFromDesign.js"

/**
 * One rule for control characters in plan values (`domain/ControlCharacters.ts`: C0, DEL, C1), in the
 * plain reference, the fast path (records and a compiled design read by level indices) and an
 * embedder's definition. The original accepts any text: refusing these is our own safety rule.
 */
const code = (n: number) => String.fromCodePoint(n)
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => code(from + i))
const REFUSED = [...range(0x00, 0x1f), code(0x7f), ...range(0x80, 0x9f)]
const ACCEPTED = [code(0x20), code(0x7e), code(0xa0), code(0xa1), "é", "\u2028"]

const row = (value: string) => ({
  combo_id: "combo-1",
  draft_template: "draft-a",
  draft_llm: "m1",
  essay_template: `essay${value}x`,
  essay_llm: "m2",
  evaluation_template: "eval-a",
  evaluation_llm: "j1"
})

const outcome = <A, E extends { readonly _tag: string }>(e: Either.Either<A, E>) =>
  Either.isLeft(e) ? { refused: e.left._tag, reason: (e.left as { reason?: string }).reason } : { refused: false }

const compiled = (value: string) => {
  const r = row(value)
  const columns = [...TEXT_FIELDS]
  return designOf({
    source: "<p>",
    axisOrder: columns,
    levels: columns.map((c) => [r[c as keyof typeof r]]),
    columns,
    accessors: columns.map((_, axis) => ({ axis, path: [] })),
    size: 1,
    warnings: []
  })
}

describe("control characters in plan values: one rule, every path", () => {
  it.effect("C0, DEL and C1 are refused, U+0020, U+007E, U+00A0 and beyond accepted, alike in reference and fast path", () =>
    Effect.gen(function*() {
      for (const c of [...REFUSED, ...ACCEPTED]) {
        const refused = REFUSED.includes(c)
        expect(hasControlCharacter(`essay${c}x`), `U+${c.codePointAt(0)!.toString(16)}`).toBe(refused)
        const reference = outcome(yield* Effect.either(definitionFromRows([row(c)], "<p>")))
        expect(reference, `reference U+${c.codePointAt(0)!.toString(16)}`).toEqual(
          refused ? { refused: "InvalidSpec", reason: "control characters are not allowed" } : { refused: false }
        )
        expect(outcome(yield* Effect.either(definitionFromDesignRows([row(c)], { source: "<p>" })))).toEqual(reference)
        expect(outcome(yield* Effect.either(definitionFromDesign(compiled(c), "<p>")))).toEqual(reference)
        const embedder = yield* Effect.either(definitionColumns({
          drafts: [{ comboId: `combo${c}x`, templateId: "draft-a", llmModelId: "m1", replicate: 1 }],
          essays: [],
          evaluations: []
        }, "pilot"))
        expect(Either.isLeft(embedder), `embedder U+${c.codePointAt(0)!.toString(16)}`).toBe(refused)
      }
    }))
})
