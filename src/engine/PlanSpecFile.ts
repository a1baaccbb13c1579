import type * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { Effect, Layer, Stream } from "effect"
import * as fs from "node:fs"
import * as nodePath from "node:path"
import type { CohortDefinition } from "../domain/CohortDefinition.js"
import { GenIdHasher } from "../domain/GenId.js"
import { STAGES } from "../domain/Stage.js"
import { estimateRows } from "../dsl/DesignLayout.js"
import type { ParsedSpec } from "../dsl/ParsedSpec.js"
import { parseSpec } from "../dsl/ParseSpec.js"
import { cohortSpecOf, type CompileSpecOptions } from "../dsl/SpecObject.js"
import type { ArtifactWriteFailed } from "../errors/ArtifactWriteFailed.js"
import type { GenerationMetadataMissing } from "../errors/GenerationMetadataMissing.js"
import type { IdCollision } from "../errors/IdCollision.js"
import type { InvalidConstraint } from "../errors/InvalidConstraint.js"
import type { InvalidSpec } from "../errors/InvalidSpec.js"
import { GensStoreService } from "../gens/GensStoreService.js"
import { makeDiskRegistry } from "../layers/DiskRegistryFactory.js"
import { makeInMemoryRegistry } from "../layers/InMemoryRegistryFactory.js"
import { WorkerPool } from "../parallel/WorkerPool.js"
import type { GenerationRegistry } from "../services/GenerationRegistry.js"
import { chunkStream } from "./ChunkStream.js"
import { type RowFormat, WORKER_MIN_ROWS } from "./MembershipEncoder.js"
import { membershipSource } from "./MembershipSource.js"

/** Options of `planSpecFile` and `definitionOfSpec`. */
export interface PlanSpecFileOptions extends CompileSpecOptions {
  /** The origin cohort id written in every row. */
  readonly cohortId: string
  /** `csv` (the default: MEMBERSHIP_COLUMNS with a header) or `jsonl` (one object per row). */
  readonly format?: RowFormat
  /** The data root whose `gens/` rows reusing generations by id read (default `./data`). */
  readonly dataRoot?: string
  /** Who hands out ids (default: the in-memory registry, pure ids as on an empty store). */
  readonly registry?: GenerationRegistry
}

/**
 * A parsed spec → its definition, exactly as a build makes it (`cohortSpecOf`: compiled, rows reusing
 * generations by id resolved against `<dataRoot>/gens`, checked).
 */
export const definitionOfSpec = (
  spec: ParsedSpec,
  options: Omit<PlanSpecFileOptions, "format" | "registry">
): Effect.Effect<CohortDefinition, InvalidSpec | GenerationMetadataMissing> =>
  Effect.gen(function*() {
    const path = yield* Path.Path
    // A call without a layer context: the `dataRoot` option names the store reused generations are read in.
    const gens = new GensStoreService(path.resolve(options.dataRoot ?? "./data"))
    const { definition } = yield* cohortSpecOf(options.cohortId, spec, {
      gens,
      ...(options.maxRows === undefined ? {} : { maxRows: options.maxRows }),
      ...(options.seed === undefined ? {} : { seed: options.seed })
    })
    return definition! // cohortSpecOf always makes one (a repository's spec may lack it, not this one)
  }).pipe(Effect.provide(Path.layer))

/** Whether a stage folder of `gens/` holds an entry (one entry read, not the listing). */
const holdsGenerations = (gensRoot: string): boolean =>
  STAGES.some((stage) => {
    let dir: fs.Dir | undefined
    try {
      dir = fs.opendirSync(`${gensRoot}/${stage}`)
      return dir.readSync() !== null
    } catch {
      return false
    } finally {
      dir?.closeSync()
    }
  })

/**
 * Who hands out a plan's ids. Given a data root whose store holds generations: the disk registry over it,
 * read only (no lock, nothing written), so the plan shows the ids a build there would write (an id a
 * collision moved to `-1` …, kept as the build keeps it). Otherwise the in-memory registry: pure ids,
 * as on an empty store, on the fast path.
 */
export const planRegistry = (dataRoot: string | undefined): Effect.Effect<GenerationRegistry> =>
  Effect.suspend(() =>
    dataRoot !== undefined && holdsGenerations(`${dataRoot}/gens`)
      // Its metadata reads are shared with the workers of a `WorkerPool` in context, when there is one.
      ? Effect.flatMap(
        Effect.serviceOption(WorkerPool),
        (pool) => makeDiskRegistry(new GensStoreService(nodePath.resolve(dataRoot)), pool)
      )
      : makeInMemoryRegistry
  )

/** Every failure of `planSpecFile`. */
export type PlanSpecFileError =
  | InvalidSpec
  | InvalidConstraint
  | GenerationMetadataMissing
  | IdCollision
  | ArtifactWriteFailed

/**
 * The worker pool of a plan of `designRows` rows (`estimateRows`): `WorkerPool.layer` when it is large
 * enough for a worker thread to make a share of its rows, else `WorkerPool.inline` (no thread started).
 */
export const planWorkerPool = (designRows: number): Layer.Layer<WorkerPool> =>
  designRows >= WORKER_MIN_ROWS ? WorkerPool.layer : WorkerPool.inline

/**
 * `cohort plan` as a library call: the membership of a spec file (MEMBERSHIP_COLUMNS, de-duplicated,
 * no catalogs) as a stream of byte chunks, made as the reader pulls them. With the default registry
 * (`planRegistry(options.dataRoot)`: pure ids, or over a data root whose store holds generations the ids a
 * build there writes) the bytes are those `cohort plan <path> --cohort-id <id> [--data-root DIR]` writes
 * (a large plan shares them with the worker threads of `planWorkerPool`, started for the stream).
 */
export const planSpecFile = (
  path: string,
  options: PlanSpecFileOptions
): Stream.Stream<Uint8Array, PlanSpecFileError, FileSystem.FileSystem> =>
  Stream.unwrapScoped(
    Effect.gen(function*() {
      const spec = yield* parseSpec(path)
      // Started before the definition is made, so that the workers load meanwhile.
      const pool = yield* Layer.build(planWorkerPool(yield* estimateRows(spec)))
      const definition = yield* definitionOfSpec(spec, options)
      // As `cohort plan` does: over a data root whose store holds generations, the ids a build there writes.
      const registry = options.registry ?? (yield* Effect.provide(planRegistry(options.dataRoot), pool))
      const hasher = yield* GenIdHasher
      return chunkStream(membershipSource(options.format ?? "csv", definition, options.cohortId, registry, hasher))
        .pipe(Stream.provideContext(pool))
    }).pipe(Effect.provide(Path.layer))
  )
