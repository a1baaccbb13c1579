import { FileSystem, Path } from "@effect/platform"
import { Effect, Layer } from "effect"
import { canonicalSignature, type GenIdHasher, GenIdHasher as SharedHasher, type SignaturePart } from "../domain/GenId.js"
import { pyStrip } from "../domain/PythonText.js"
import type { Stage } from "../domain/Stage.js"
import { IdCollision } from "../errors/IdCollision.js"
import type { GenerationRegistry } from "../services/GenerationRegistry.js"
import { RegistryFactory } from "../services/RegistryFactory.js"
import { dataRootPaths } from "./DataRoot.js"

/** Candidates tried per signature: the plain id, then `-1` … `-4` (as the original). */
export const MAX_ID_ATTEMPTS = 5

/**
 * The canonical signature recorded by an existing `metadata.json`, rebuilt as the original does
 * (`signature_from_metadata`), or undefined when it cannot be (which counts as a different signature).
 */
export const signatureOfMetadata = (stage: Stage, metadata: unknown): string | undefined => {
  if (typeof metadata !== "object" || metadata === null) return undefined
  const m = metadata as Record<string, unknown>
  let rep: number
  const raw = m["replicate"]
  if (raw === undefined || raw === null) rep = 1
  else if (typeof raw === "string" && /^\d+$/.test(pyStrip(raw))) rep = Number(pyStrip(raw))
  else if (typeof raw === "number" && Number.isFinite(raw)) rep = Math.trunc(raw)
  else return undefined
  const text = (v: unknown): string | undefined => {
    if (v === undefined || v === null) return undefined
    const t = pyStrip(String(v))
    return t === "" ? undefined : t
  }
  const parts: Array<SignaturePart | undefined> = stage === "draft"
    ? [text(m["combo_id"]), text(m["template_id"]), text(m["llm_model_id"]), rep]
    : stage === "essay"
    ? [text(m["parent_gen_id"]), text(m["template_id"]) ?? text(m["essay_template"]), rep]
    : [text(m["parent_gen_id"]), text(m["template_id"]) ?? text(m["evaluation_template"]), text(m["llm_model_id"]), rep]
  if (parts.some((p) => p === undefined)) return undefined
  return canonicalSignature(parts as Array<SignaturePart>)
}

/**
 * A registry that resolves collisions against `gens/<stage>/<id>/metadata.json` (REFERENCE §5): an id
 * whose metadata records another signature is skipped for `-1` … `-4`. It only reads; the artifact store
 * creates folders and files.
 */
export const makeDiskRegistry = (
  dataRoot: string
): Effect.Effect<GenerationRegistry, never, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const hasher: GenIdHasher = yield* SharedHasher
    const paths = dataRootPaths(path, dataRoot)
    // One directory listing per stage tells which ids have a folder; only those are read.
    const listings = new Map<Stage, Set<string>>()
    const listing = (stage: Stage) =>
      Effect.gen(function*() {
        const known = listings.get(stage)
        if (known !== undefined) return known
        const names = yield* Effect.orElseSucceed(fs.readDirectory(paths.gensStage(stage)), () => [] as Array<string>)
        const set = new Set(names)
        listings.set(stage, set)
        return set
      })
    const existingSignature = (stage: Stage, id: string) =>
      fs.readFileString(paths.metadataFile(stage, id)).pipe(
        Effect.map((text): { found: boolean; signature: string | undefined } => {
          try {
            return { found: true, signature: signatureOfMetadata(stage, JSON.parse(text)) }
          } catch {
            return { found: true, signature: undefined }
          }
        }),
        Effect.orElseSucceed(() => ({ found: false, signature: undefined }))
      )
    const resolve = (stage: Stage, canonical: string, existing: Set<string>) =>
      Effect.gen(function*() {
        const attempts: Array<string> = []
        for (let i = 0; i < MAX_ID_ATTEMPTS; i++) {
          const id = hasher.idOf(stage, canonical, i)
          attempts.push(id)
          if (!existing.has(id)) return id
          const { found, signature } = yield* existingSignature(stage, id)
          if (!found || signature === canonical) return id
          yield* Effect.logWarning(`${stage} id ${id} is taken by another signature; trying suffix -${i + 1}`)
        }
        return yield* new IdCollision({ stage, signature: canonical, attempts })
      })
    const reserve = (stage: Stage, canonical: string) =>
      Effect.flatMap(listing(stage), (existing) => resolve(stage, canonical, existing))
    return {
      reserveDraftId: (r) => reserve("draft", canonicalSignature([r.comboId, r.templateId, r.llmModelId, r.replicate])),
      reserveEssayId: (r) => reserve("essay", canonicalSignature([r.draftGenId, r.templateId, r.replicate])),
      reserveEvaluationId: (r) =>
        reserve("evaluation", canonicalSignature([r.essayGenId, r.templateId, r.llmModelId, r.replicate])),
      reserveMany: (stage, canonicals) =>
        Effect.gen(function*() {
          const existing = yield* listing(stage)
          const ids: Array<string> = new Array(canonicals.length)
          const contested: Array<number> = []
          for (let i = 0; i < canonicals.length; i++) {
            const id = hasher.idOf(stage, canonicals[i]!)
            if (existing.has(id)) contested.push(i)
            else ids[i] = id
          }
          yield* Effect.forEach(
            contested,
            (i) => Effect.map(resolve(stage, canonicals[i]!, existing), (id) => {
              ids[i] = id
            }),
            { concurrency: 32, discard: true }
          )
          return ids
        })
    } satisfies GenerationRegistry
  })

/** `RegistryFactory` over the `gens/` store of a data root. */
export const DiskRegistryFactory = {
  layer: (dataRoot: string): Layer.Layer<RegistryFactory, never, FileSystem.FileSystem | Path.Path> =>
    Layer.effect(
      RegistryFactory,
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const path = yield* Path.Path
        return RegistryFactory.of({
          createRegistry: Effect.fn("DiskRegistryFactory.createRegistry")(function*() {
            return yield* makeDiskRegistry(dataRoot).pipe(
              Effect.provideService(FileSystem.FileSystem, fs),
              Effect.provideService(Path.Path, path)
            )
          })
        })
      })
    )
}
