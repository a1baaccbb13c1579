import { Effect, Either } from "effect"
import { collectRuleProblems, layoutDesign } from "./DesignLayout.js"
import { type ParseSpecOptions, parseSpecWith, type SpecInput } from "./ParseSpec.js"
import { makeProblemSink, problemsInSpecOrder } from "./SpecProblems.js"

/**
 * Every independent problem of a spec, in the order their places appear in it (what `validate` lists;
 * `parseSpec` and a build stop at the first). Independent are: each unknown or misspelled key, each axis,
 * each rule entry, each include, each `output.field_order` name, and each rule's application (a rule
 * naming what an earlier problem left unknowable is skipped). A problem after which nothing can be
 * read — the file unreadable, not YAML/JSON, its top level not a mapping — is the only one. Empty when
 * the spec parses and its rules apply.
 */
export const specProblems = Effect.fn("specProblems")(function*(input: SpecInput, options: ParseSpecOptions = {}) {
  const sink = makeProblemSink()
  const parsed = yield* Effect.either(parseSpecWith(input, options, sink))
  if (Either.isLeft(parsed)) return [parsed.left]
  yield* collectRuleProblems(parsed.right, sink)
  if (sink.found.length === 0) {
    const layout = yield* Effect.either(layoutDesign(parsed.right))
    return Either.isLeft(layout) ? [layout.left] : []
  }
  return problemsInSpecOrder(sink)
})
