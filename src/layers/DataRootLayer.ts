import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import { Layer } from "effect"
import { GensStore } from "../gens/GensStore.js"
import { WorkerPool } from "../parallel/WorkerPool.js"
import type { CatalogBundleLoader } from "../services/CatalogBundleLoader.js"
import type { CohortSpecRepository } from "../services/CohortSpecRepository.js"
import type { MembershipArtifactStore } from "../services/MembershipArtifactStore.js"
import type { RegistryFactory } from "../services/RegistryFactory.js"
import { CsvCatalogBundleLoader } from "./CsvCatalogBundleLoader.js"
import { DiskRegistryFactory } from "./DiskRegistryFactory.js"
import { type ArtifactStoreOptions, FileSystemArtifactStore } from "./FileSystemArtifactStore.js"
import { FileSystemSpecRepository, type SpecRepositoryOptions } from "./FileSystemSpecRepository.js"

/** Every collaborator of a build over one data root. */
export type DataRootServices =
  | CohortSpecRepository
  | CatalogBundleLoader
  | MembershipArtifactStore
  | RegistryFactory
  | GensStore
  | WorkerPool

/** Options of `DataRootLayer.layer`: the spec repository's (seed, row cap) and the artifact store's. */
export type DataRootOptions = SpecRepositoryOptions & ArtifactStoreOptions

/** @deprecated Use `DataRootLayer.layer(dataRoot, options)`. */
export const dataRootLayer = (
  dataRoot: string,
  options: SpecRepositoryOptions & ArtifactStoreOptions = {}
): Layer.Layer<DataRootServices, never, FileSystem.FileSystem | Path.Path> =>
  Layer.mergeAll(
    FileSystemSpecRepository.layer(dataRoot, options),
    CsvCatalogBundleLoader.layer(dataRoot),
    DiskRegistryFactory.layer,
    FileSystemArtifactStore.layer(dataRoot, options)
  ).pipe(
    // One view of gens/ for the registry and the store (the store skips what the registry found).
    Layer.provideMerge(Layer.merge(GensStore.layer(dataRoot), WorkerPool.layerOnDemand))
  )

/** @deprecated Use `DataRootLayer.layerNode(dataRoot, options)`. */
export const dataRootLive = (
  dataRoot: string,
  options: SpecRepositoryOptions & ArtifactStoreOptions = {}
): Layer.Layer<DataRootServices> =>
  // Only the two services it needs: NodeContext would also load the terminal, workers and processes.
  dataRootLayer(dataRoot, options).pipe(Layer.provide(Layer.merge(NodeFileSystem.layer, NodePath.layer)))

/**
 * The live layers over a data root (`combo_mappings.csv`, `1_raw/`, `cohorts/`, `gens/`), on Node only:
 * specs and catalogs are read through the `FileSystem` and `Path` services, but the `gens/` store, the
 * cohort lock and the metadata writes use `node:fs` directly (synchronous calls in plain loops: several
 * times faster for hundreds of thousands of small files), so an in-memory `FileSystem` does not make it
 * run without a disk. For no disk at all, use the in-memory layers. Its one `GensStore` is shared by the
 * registry and the artifact store; its `WorkerPool` (`WorkerPool.layerOnDemand`: no thread for a build
 * without a large job) shares the metadata reads and writes of large builds with a worker thread, and its
 * `tally` says what each thread did.
 */
export const DataRootLayer = {
  /** All of them, needing a `FileSystem` and a `Path`: provide `NodeContext.layer`, or use `layerNode`. */
  layer: dataRootLayer,
  /** `DataRootLayer.layer` on Node's file system. */
  layerNode: dataRootLive
} as const
