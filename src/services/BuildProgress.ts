import { Context } from "effect"

/**
 * Where a build reports how far it got: a phase (`spec`, `existing metadata`, `ids`, `writing metadata`)
 * with `done` of `total` items. Called from synchronous loops (a plain function, no Effect); a build
 * without this service reports nothing.
 */
export class BuildProgress extends Context.Tag("cohort/BuildProgress")<BuildProgress, {
  readonly update: (phase: string, done: number, total: number) => void
}>() {}
