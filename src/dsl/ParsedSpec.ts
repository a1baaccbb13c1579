import type { SpecValue } from "../domain/SpecValue.js"
import type { IncludeText } from "./IncludeLines.js"

/** An axis and its levels as written (not yet de-duplicated). */
export interface Axis {
  readonly name: string
  readonly levels: ReadonlyArray<SpecValue>
  /** Declared under `axes`, or derived from a tuple rule. */
  readonly derived: boolean
  /** The `@file:` include the levels were read from, if any. */
  readonly include?: string | undefined
}

/** Where a rule came from, for error messages: `rules.pairs.draft_essay`, and the include if any. */
interface RuleOrigin {
  readonly at: string
  readonly include?: string | undefined
}

/** One rule of a spec, in the order written: a subset, tie, pair or tuple. */
export type Rule =
  | (RuleOrigin & { readonly _tag: "subset"; readonly axis: string; readonly keep: ReadonlyArray<SpecValue> })
  | (RuleOrigin & { readonly _tag: "tie"; readonly name: string; readonly axes: ReadonlyArray<string> })
  | (RuleOrigin & {
    readonly _tag: "pair"
    readonly name: string
    readonly left: string
    readonly right: string
    readonly allowed: ReadonlyArray<SpecValue>
    readonly balance?: "left" | "right" | "both" | undefined
  })
  | (RuleOrigin & {
    readonly _tag: "tuple"
    readonly name: string
    readonly axes: ReadonlyArray<string>
    readonly items: ReadonlyArray<SpecValue>
  })

/** A parsed, validated spec with every `@file:` include resolved. */
export interface ParsedSpec {
  /** The spec file (or `<memory>`), named in every error. */
  readonly source: string
  /** SHA-256 of the spec file's bytes (absent for an in-memory mapping). */
  readonly sha256?: string | undefined
  readonly axes: ReadonlyArray<Axis>
  /** In the order written: sections in file order, entries in section order. */
  readonly rules: ReadonlyArray<Rule>
  readonly fieldOrder: ReadonlyArray<string>
  /** Included files, relative to the spec folder, in the order read. */
  readonly includes: ReadonlyArray<{ readonly path: string; readonly sha256: string }>
  /**
   * The text of each include, by its `@file:` reference as written: kept (not read again) so that an
   * error naming a value from an include can say its line.
   */
  readonly includeTexts?: ReadonlyMap<string, IncludeText> | undefined
  /** Problems that do not stop compilation. */
  readonly warnings: ReadonlyArray<string>
}

/** @deprecated Renamed `ParsedSpec` (a spec after parsing, before its rules apply). */
export type ExperimentSpec = ParsedSpec
