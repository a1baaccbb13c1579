import { Context, Layer } from "effect"
import {
  type CatalogBundleLoader,
  type CohortSpecRepository,
  DataRootLayer,
  DEFAULT_MAX_ROWS,
  type MembershipArtifactStore,
  type RegistryFactory
} from "../index.js"
import { DEFAULT_MAX_BODY_BYTES } from "./ServiceDefaults.js"

/** What a build of the service runs against. */
export type CohortBuildServices = CohortSpecRepository | CatalogBundleLoader | RegistryFactory | MembershipArtifactStore

/** How the HTTP service is set up. */
export interface CohortServiceOptions {
  /** The data root whose cohorts `/cohorts/:cohortId/*` builds. */
  readonly dataRoot: string
  /** Refuse specs (sent or on disk) of more design rows than this (default 5,000,000). */
  readonly maxRows?: number
  /** Refuse request bodies larger than this many bytes (default 1 MiB). */
  readonly maxBodyBytes?: number
  /** Shuffle the designs of the data root's cohorts as Python's `random.Random(seed)`. */
  readonly seed?: number | bigint
  /**
   * The collaborators of a build, made afresh for each request (default: the data root's live layers,
   * `DataRootLayer.layerNode(dataRoot, { maxRows, seed })`), e.g. to read specs from somewhere else.
   */
  readonly services?: Layer.Layer<CohortBuildServices>
}

/** The service's settings, resolved. */
export class CohortServiceConfig extends Context.Tag("cohort/http/CohortServiceConfig")<CohortServiceConfig, {
  readonly maxRows: number
  readonly maxBodyBytes: number
  readonly services: Layer.Layer<CohortBuildServices>
}>() {
  static layer(options: CohortServiceOptions): Layer.Layer<CohortServiceConfig> {
    const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS
    return Layer.succeed(CohortServiceConfig, {
      maxRows,
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      services: options.services ??
        DataRootLayer.layerNode(options.dataRoot, {
          maxRows,
          ...(options.seed === undefined ? {} : { seed: options.seed })
        })
    })
  }
}
