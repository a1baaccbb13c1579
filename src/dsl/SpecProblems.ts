import { Effect } from "effect"
import type { InvalidSpec } from "../errors/InvalidSpec.js"

/**
 * Where `validate` collects the independent problems of a spec instead of stopping at the first: each
 * with the place in the spec it was found at (key segments, to order problems as the spec is written).
 */
export interface ProblemSink {
  readonly found: Array<{ readonly error: InvalidSpec; readonly at: ReadonlyArray<PropertyKey> }>
  /** Axes and rule names a problem made unknowable: rules that name them are not checked (their errors would be echoes). */
  readonly tainted: Set<string>
  /** The spec as read (its key order places the problems). */
  data?: unknown
}

/** Tainted: every name (the axes or rules could not be read at all). */
export const ANY = "*"

/** Whether a problem left this name unknowable. */
export const isTainted = (sink: ProblemSink | undefined, name: string): boolean =>
  sink !== undefined && (sink.tainted.has(ANY) || sink.tainted.has(name))

export const makeProblemSink = (): ProblemSink => ({ found: [], tainted: new Set() })

/**
 * Runs one independent check: without a sink it fails as a build does; with one, its error is recorded
 * at `at`, `taint` names what it leaves unknowable, and the check gives `undefined`.
 */
export const attempt = <A, R>(
  sink: ProblemSink | undefined,
  at: ReadonlyArray<PropertyKey>,
  effect: Effect.Effect<A, InvalidSpec, R>,
  taint: ReadonlyArray<string> = []
): Effect.Effect<A | undefined, InvalidSpec, R> =>
  sink === undefined ? effect : Effect.catchAll(effect, (error) =>
    Effect.sync(() => {
      sink.found.push({ error, at })
      for (const name of taint) sink.tainted.add(name)
      return undefined
    }))

/** The position of a key path in the spec as written: the index of each key among its siblings, in file order. */
const positionOf = (data: unknown, at: ReadonlyArray<PropertyKey>): Array<number> => {
  const out: Array<number> = []
  let node = data
  for (const segment of at) {
    if (typeof node !== "object" || node === null) break
    const index = Array.isArray(node) ? Number(segment) : Object.keys(node).indexOf(String(segment))
    out.push(index < 0 ? Number.MAX_SAFE_INTEGER : index)
    node = (node as Record<PropertyKey, unknown>)[segment]
  }
  return out
}

const compare = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): number => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return a.length - b.length
}

/** The problems found, in the order their places appear in the spec (a stable sort: one place keeps its order). */
export const problemsInSpecOrder = (sink: ProblemSink): Array<InvalidSpec> =>
  sink.found
    .map((p, i) => ({ ...p, i, position: positionOf(sink.data, p.at) }))
    .sort((a, b) => compare(a.position, b.position) || a.i - b.i)
    .map((p) => p.error)
