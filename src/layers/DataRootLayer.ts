import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import { Layer } from "effect"
import { WorkerPool } from "../parallel/WorkerPool.js"
import type { CatalogBundleLoader } from "../services/CatalogBundleLoader.js"
import type { CohortSpecRepository } from "../services/CohortSpecRepository.js"
import type { MembershipArtifactStore } from "../services/MembershipArtifactStore.js"
import type { RegistryFactory } from "../services/RegistryFactory.js"
import { CsvCatalogBundleLoader } from "./CsvCatalogBundleLoader.js"
import { DiskRegistryFactory } from "./DiskRegistryFactory.js"
import { type ArtifactStoreOptions, FileSystemArtifactStore } from "./FileSystemArtifactStore.js"
import { FileSystemSpecRepository, type SpecRepositoryOptions } from "./FileSystemSpecRepository.js"
import { GensStore } from "./GensStore.js"

/** Every collaborator of a build over one data root. */
export type DataRootServices =
  | CohortSpecRepository
  | CatalogBundleLoader
  | MembershipArtifactStore
  | RegistryFactory
  | GensStore
  | WorkerPool

/**
 * The live layers over a data root (`combo_mappings.csv`, `1_raw/`, `cohorts/`, `gens/`), needing only a `FileSystem` and a `Path`:
 * provide `NodeContext.layer` (or use `dataRootLive`), or an in-memory file system in tests. Its
 * `WorkerPool` (`WorkerPool.layerOnDemand`: no thread for a build that has no large job) shares the
 * metadata reads and writes of large builds with a worker thread; its `tally` says what each thread did.
 */
export const dataRootLayer = (
  dataRoot: string,
  options: SpecRepositoryOptions & ArtifactStoreOptions = {}
): Layer.Layer<DataRootServices, never, FileSystem.FileSystem | Path.Path> =>
  Layer.mergeAll(
    FileSystemSpecRepository.layer(dataRoot, options),
    CsvCatalogBundleLoader.layer(dataRoot),
    DiskRegistryFactory.layer(dataRoot),
    FileSystemArtifactStore.layer(dataRoot, options),
    // One view of gens/ for the registry and the store (the store skips what the registry found).
    GensStore.layer(dataRoot)
  ).pipe(Layer.provideMerge(WorkerPool.layerOnDemand))

/** `dataRootLayer` on Node's file system. */
export const dataRootLive = (
  dataRoot: string,
  options: SpecRepositoryOptions & ArtifactStoreOptions = {}
): Layer.Layer<DataRootServices> =>
  // Only the two services it needs: NodeContext would also load the terminal, workers and processes.
  dataRootLayer(dataRoot, options).pipe(Layer.provide(Layer.merge(NodeFileSystem.layer, NodePath.layer)))
