import { Context } from "effect"

/**
 * Where a build reports how far it got: a phase (`spec`, `existing metadata`, `ids`, `writing metadata`)
 * with `done` of `total` items. `more`: the total is a count so far and may still grow (a phase whose
 * batches each add items found only then); a percentage of it would fall back. Called from synchronous
 * loops (a plain function, no Effect); a build without this service reports nothing.
 */
export class BuildProgress extends Context.Tag("cohort/BuildProgress")<BuildProgress, {
  readonly update: (phase: string, done: number, total: number, more?: boolean) => void
}>() {}
