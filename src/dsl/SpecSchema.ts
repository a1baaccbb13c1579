import { JSONSchema, Schema } from "effect"
import { FIELD_ALIASES } from "../domain/CohortDefinition.js"

/**
 * The shape of a spec file (REFERENCE §3). Decoding with `onExcessProperty: "error"` refuses unknown
 * keys; the same schema generates the JSON Schema shipped for editors.
 */

const FileRef = Schema.String.pipe(
  Schema.startsWith("@file:"),
  Schema.annotations({
    identifier: "FileInclude",
    description: "Values read from a file next to the spec: .csv, .txt, .json, .yaml or .yml",
    message: () => "must be a list or an '@file:<relative path>' include"
  })
)

const Values = Schema.Union(FileRef, Schema.Array(Schema.Unknown)).annotations({
  identifier: "Values",
  description: "An inline list, or '@file:<relative path>'",
  // override: a union's own message otherwise gives way to its first member's ("expected string").
  message: () => ({ message: "must be a list or an '@file:<relative path>' include", override: true })
})

const Name = Schema.String.pipe(Schema.minLength(1, { message: () => "must be a non-empty string" }))
const Names = Schema.Array(Name).annotations({ message: () => "must be a list of axis names" })
const NonEmptyNames = Schema.NonEmptyArray(Name).annotations({
  // An empty list is reported on the list itself, not as a missing `[0]`; a bad element keeps its own message.
  message: (issue) =>
    Array.isArray(issue.actual) && issue.actual.length === 0
      ? { message: "must be a non-empty list of axis names", override: true }
      : "must be a non-empty list of axis names"
})

export const TieRule = Schema.Union(
  NonEmptyNames,
  Schema.Struct({ axes: NonEmptyNames }).annotations({ identifier: "TieRule" })
).annotations({
  description: "Axes whose levels are intersected and that take the same value in every row",
  message: () => "must be a list of axis names or a mapping with 'axes'"
})

export type TieRule = typeof TieRule.Type

export const PairRule = Schema.Struct({
  left: Name,
  right: Name,
  allowed: Values,
  // The original checks balance only when it is truthy: `''` and null mean no balance.
  balance: Schema.optional(
    Schema.NullOr(Schema.Literal("left", "right", "both", "")).annotations({
      message: () => ({ message: "must be one of left, right, both", override: true })
    })
  )
}).annotations({ identifier: "PairRule", description: "Couples two axes into the allowed (left, right) pairs" })

export type PairRule = typeof PairRule.Type

export const TupleRule = Schema.Struct({
  axes: NonEmptyNames,
  items: Values
}).annotations({ identifier: "TupleRule", description: "Couples N axes into the listed tuples" })

export type TupleRule = typeof TupleRule.Type

export const Rules = Schema.Struct({
  subsets: Schema.optional(Schema.Record({ key: Schema.String, value: Values })),
  ties: Schema.optional(Schema.Record({ key: Schema.String, value: TieRule })),
  pairs: Schema.optional(Schema.Record({ key: Schema.String, value: PairRule })),
  tuples: Schema.optional(Schema.Record({ key: Schema.String, value: TupleRule }))
}).annotations({ identifier: "Rules", description: "Applied in the order written" })

/** What each field a stage reads means, for editor completion of axis names. */
const FIELD_DESCRIPTIONS: Readonly<Record<keyof typeof FIELD_ALIASES, string>> = {
  combo_id: "The concept combo a draft is written from (a combo_id of combo_mappings.csv)",
  draft_template: "The draft template (a template_id of 1_raw/draft_templates.csv)",
  draft_llm: "The LLM that writes the draft (an id of 1_raw/llm_models.csv)",
  essay_template: "The essay template (a template_id of 1_raw/essay_templates.csv)",
  essay_llm: "The LLM that writes the essay; not part of the essay's id",
  evaluation_template: "The evaluation template (a template_id of 1_raw/evaluation_templates.csv)",
  evaluation_llm: "The judge LLM of the evaluation",
  draft_replicate: "Replicate number of the draft: a whole number ≥ 1 (default 1)",
  essay_replicate: "Replicate number of the essay: a whole number ≥ 1 (default 1)",
  evaluation_replicate: "Replicate number of the evaluation: a whole number ≥ 1 (default 1)"
}

/**
 * The axes mapping: the fields stages read, and their aliases, are described (editors complete them);
 * any other name stays allowed — a tie's column, or a column no stage reads, which validation reports.
 */
const Axes = Schema.Struct(
  Object.fromEntries(
    Object.entries(FIELD_ALIASES).flatMap(([field, aliases]) =>
      aliases.map((name) => [
        name,
        Schema.optional(Values.annotations({
          description: name === field
            ? FIELD_DESCRIPTIONS[field as keyof typeof FIELD_ALIASES]
            : `Read as ${field} when ${field} is empty: ${FIELD_DESCRIPTIONS[field as keyof typeof FIELD_ALIASES]}`
        }))
      ])
    )
  ),
  Schema.Record({ key: Schema.String, value: Values })
).annotations({ description: "Axis name → its levels; the design is their Cartesian product" })

/** The schema of a spec file (`axes`, `rules`, `output`), as decoded before includes are resolved. */
export const SpecFile = Schema.Struct({
  axes: Schema.optional(Axes),
  rules: Schema.optional(Schema.NullOr(Rules)),
  output: Schema.Struct({
    field_order: Names
  }).annotations({ description: "field_order: the columns that come first in every design row" })
}).annotations({
  identifier: "CohortSpec",
  title: "Cohort spec",
  description: "A cohort spec of cohort-membership-builder (axes, rules, output)"
})
export type SpecFile = typeof SpecFile.Type

/** The keys each mapping of a spec file accepts, for "did you mean" hints. */
export const KNOWN_KEYS = {
  top: ["axes", "rules", "output"],
  rules: ["subsets", "ties", "pairs", "tuples"],
  tie: ["axes"],
  pair: ["left", "right", "allowed", "balance"],
  tuple: ["axes", "items"],
  output: ["field_order"]
} as const

/** The JSON Schema of spec files (shipped as `schema/cohort-spec.schema.json`). */
export const specJsonSchema = (): JSONSchema.JsonSchema7Root => JSONSchema.make(SpecFile)
