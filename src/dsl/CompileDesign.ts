import { Effect } from "effect"
import { formatCount } from "../domain/CountText.js"
import { InvalidSpec } from "../errors/InvalidSpec.js"
import { layoutDesign } from "./DesignLayout.js"
import { type CompiledDesign, designOf } from "./DesignRows.js"
import { DEFAULT_MAX_ROWS } from "./Limits.js"
import type { ParsedSpec } from "./ParsedSpec.js"

export { type DesignLayout, type DesignPlan, estimateRows, layoutDesign, planDesign } from "./DesignLayout.js"
export { type CompiledDesign, designOf } from "./DesignRows.js"
export { DEFAULT_MAX_ROWS } from "./Limits.js"

/** Options of `compileDesign`. */
export interface CompileOptions {
  /** Shuffle the Cartesian rows as Python's `random.Random(seed).shuffle` would. */
  readonly seed?: number | bigint
  /** Refuse designs with more rows than this, before any row is made (default 5,000,000; `Infinity` lifts it). */
  readonly maxRows?: number
}

/** The design rows of a spec: rules applied, the product expanded lazily. */
export const compileDesign = (
  spec: ParsedSpec,
  options: CompileOptions = {}
): Effect.Effect<CompiledDesign, InvalidSpec> =>
  Effect.flatMap(layoutDesign(spec), (layout) => {
    if (options.seed !== undefined && typeof options.seed === "number" && !Number.isSafeInteger(options.seed)) {
      return new InvalidSpec({
        path: spec.source,
        reason: "the seed must be a whole number",
        value: String(options.seed)
      })
    }
    const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS
    if (layout.size > maxRows) {
      return new InvalidSpec({
        path: spec.source,
        reason: `the design would have ${formatCount(layout.size)} rows, more than the limit of ${
          formatCount(maxRows)
        }`,
        hint: "narrow the axes with subsets/pairs/tuples, or raise the limit (--max-rows)"
      })
    }
    // Python's Random(n) seeds with abs(n): -7 shuffles as 7 does.
    const seed = options.seed === undefined ? undefined : options.seed < 0 ? -options.seed : options.seed
    return Effect.succeed(designOf(layout, seed))
  })
