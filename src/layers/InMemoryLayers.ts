import * as aq from "arquero"
import { Context, Effect, Layer, Ref } from "effect"
import type { CatalogBundle } from "../domain/CatalogBundle.js"
import type { CohortSpec } from "../domain/CohortSpec.js"
import type { ColumnTable } from "../domain/Frame.js"
import {
  cohortSpecFromObject,
  type CompileSpecOptions,
  type SpecObjectOptions,
  specObjectProblems
} from "../dsl/SpecObject.js"
import { SpecNotFound } from "../errors/SpecNotFound.js"
import { CatalogBundleLoader } from "../services/CatalogBundleLoader.js"
import { CohortSpecRepository } from "../services/CohortSpecRepository.js"
import { MembershipArtifactStore } from "../services/MembershipArtifactStore.js"

/** A cohort's spec as a mapping (parsed YAML/JSON), compiled by `cohortSpecFromObject` when asked for. */
export interface SpecObjectEntry extends Pick<SpecObjectOptions, "includes" | "source"> {
  readonly cohortId: string
  /** The spec mapping, as `config.yaml` would hold it. */
  readonly spec: unknown
}

const specRepositoryLayer = (
  specs: ReadonlyArray<CohortSpec | SpecObjectEntry>,
  options: CompileSpecOptions = {}
): Layer.Layer<CohortSpecRepository> =>
  Layer.succeed(CohortSpecRepository, {
    problemsOf: Effect.fn("InMemorySpecRepository.problemsOf")(function*(cohortId: string) {
      const entry = specs.find((s) => s.cohortId === cohortId)
      if (entry === undefined) return yield* new SpecNotFound({ cohortId, path: `memory://cohorts/${cohortId}` })
      if (!("spec" in entry)) return []
      return yield* specObjectProblems(cohortId, entry.spec, {
        ...(entry.includes === undefined ? {} : { includes: entry.includes }),
        ...(entry.source === undefined ? {} : { source: entry.source })
      })
    }),
    get: Effect.fn("InMemorySpecRepository.get")(function*(cohortId: string) {
      const entry = specs.find((s) => s.cohortId === cohortId)
      if (entry === undefined) return yield* new SpecNotFound({ cohortId, path: `memory://cohorts/${cohortId}` })
      if (!("spec" in entry)) return entry
      return yield* cohortSpecFromObject(cohortId, entry.spec, {
        ...options,
        ...(entry.includes === undefined ? {} : { includes: entry.includes }),
        ...(entry.source === undefined ? {} : { source: entry.source })
      })
    })
  })

/**
 * Catalog frames from plain row objects, one entry per slice: `combo_mappings`, `draft_templates`,
 * `essay_templates`, `evaluation_templates`, `llm_models` and optionally `replication_config`.
 */
export const catalogBundle = (
  slices: Readonly<Record<string, ReadonlyArray<Readonly<Record<string, unknown>>>>>,
  metadata: Readonly<Record<string, unknown>> = {}
): CatalogBundle => {
  const frames: Record<string, ColumnTable> = {}
  for (const [name, rows] of Object.entries(slices)) frames[name] = aq.from(rows)
  return { frames, metadata }
}

/**
 * A spec repository over a fixed set of specs: `InMemorySpecRepository.layer(specs, options)`; any other
 * cohort id is `SpecNotFound`. Each entry is a ready `CohortSpec` or a `SpecObjectEntry`, compiled on
 * every `get` with `options` (seed, row cap): an invalid spec object fails that `get` with `InvalidSpec`,
 * and `problemsOf` lists all its independent problems (a ready `CohortSpec` has none).
 */
export const InMemorySpecRepository: {
  /** @deprecated Use `InMemorySpecRepository.layer(specs, options)`. */
  (specs: ReadonlyArray<CohortSpec | SpecObjectEntry>, options?: CompileSpecOptions): Layer.Layer<CohortSpecRepository>
  /** The repository over these specs. */
  readonly layer: typeof specRepositoryLayer
} = Object.assign(
  (specs: ReadonlyArray<CohortSpec | SpecObjectEntry>, options?: CompileSpecOptions) =>
    specRepositoryLayer(specs, options),
  { layer: specRepositoryLayer }
)

/**
 * A catalog loader that returns the same bundle for every spec. It has no files that could fail to read,
 * so `inspectForSpec` lists no problem of its own (a slice the bundle lacks is the program's finding).
 */
const catalogBundleLoaderLayer = (bundle: CatalogBundle): Layer.Layer<CatalogBundleLoader> =>
  Layer.succeed(CatalogBundleLoader, {
    loadForSpec: Effect.fn("InMemoryCatalogBundleLoader.loadForSpec")(function*() {
      return bundle
    }),
    inspectForSpec: Effect.fn("InMemoryCatalogBundleLoader.inspectForSpec")(function*() {
      return { bundle, problems: [] }
    })
  })

/** A catalog loader that returns the same bundle for every spec: `InMemoryCatalogBundleLoader.layer(bundle)`. */
export const InMemoryCatalogBundleLoader: {
  /** @deprecated Use `InMemoryCatalogBundleLoader.layer(bundle)`. */
  (bundle: CatalogBundle): Layer.Layer<CatalogBundleLoader>
  /** The loader of this bundle. */
  readonly layer: typeof catalogBundleLoaderLayer
} = Object.assign((bundle: CatalogBundle) => catalogBundleLoaderLayer(bundle), { layer: catalogBundleLoaderLayer })

/** What an in-memory store was asked to persist. */
export interface PersistedMembership {
  readonly cohortId: string
  readonly membership: ColumnTable
  readonly metadata: Readonly<Record<string, unknown>>
}

/** Holds everything persisted to an `InMemoryArtifactStore`, in call order. */
export class PersistedArtifacts extends Context.Tag("cohort/testing/PersistedArtifacts")<
  PersistedArtifacts,
  Ref.Ref<ReadonlyArray<PersistedMembership>>
>() {}

const artifactStoreLayer: Layer.Layer<MembershipArtifactStore | PersistedArtifacts> = Layer.effectContext(
  Effect.gen(function*() {
    const ref = yield* Ref.make<ReadonlyArray<PersistedMembership>>([])
    const store = MembershipArtifactStore.of({
      persistMembership: Effect.fn("InMemoryArtifactStore.persistMembership")(
        function*(cohortId, membership, metadata) {
          yield* Ref.update(ref, (all) => [...all, { cohortId, membership, metadata }])
          return {
            membership: `memory://cohorts/${cohortId}/membership.csv`,
            manifest: `memory://cohorts/${cohortId}/manifest.json`
          }
        }
      )
    })
    return Context.make(MembershipArtifactStore, store).pipe(Context.add(PersistedArtifacts, ref))
  })
)

/**
 * An artifact store that keeps persisted memberships in memory (read them through `PersistedArtifacts`)
 * and returns `memory://` URIs: `InMemoryArtifactStore.layer`. Provided as it is, it is the same layer
 * (the older shape, kept for existing embedders).
 */
export const InMemoryArtifactStore: Layer.Layer<MembershipArtifactStore | PersistedArtifacts> & {
  /** The store. */
  readonly layer: Layer.Layer<MembershipArtifactStore | PersistedArtifacts>
} = Object.assign(artifactStoreLayer, { layer: artifactStoreLayer })
