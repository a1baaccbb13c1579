import { Effect, Layer } from "effect"
import { canonicalSignature, type GenIdHasher, GenIdHasher as SharedHasher, type SignaturePart } from "../domain/GenId.js"
import { pyStrip } from "../domain/PythonText.js"
import type { Stage } from "../domain/Stage.js"
import { IdCollision } from "../errors/IdCollision.js"
import type { GenerationRegistry } from "../services/GenerationRegistry.js"
import { RegistryFactory } from "../services/RegistryFactory.js"
import { gensDirectoryFor, SYNC_CHUNK, yieldToEventLoop } from "./GensStore.js"

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
export const makeDiskRegistry = (dataRoot: string): Effect.Effect<GenerationRegistry> =>
  Effect.gen(function*() {
    const hasher: GenIdHasher = yield* SharedHasher
    const gens = yield* gensDirectoryFor(dataRoot)
    // A new registry starts a new build: what an earlier build saw of the store may be stale.
    gens.reset()
    const resolve = (stage: Stage, canonical: string): string | IdCollision => {
      const attempts: Array<string> = []
      for (let i = 0; i < MAX_ID_ATTEMPTS; i++) {
        const id = hasher.idOf(stage, canonical, i)
        attempts.push(id)
        if (!gens.listing(stage).has(id)) return id
        const text = gens.readMetadata(stage, id)
        if (text === undefined) return id
        let signature: string | undefined
        try {
          signature = signatureOfMetadata(stage, JSON.parse(text))
        } catch {
          signature = undefined
        }
        if (signature === canonical) return id
      }
      return new IdCollision({ stage, signature: canonical, attempts })
    }
    const reserve = (stage: Stage, canonical: string) =>
      Effect.suspend(() => {
        const id = resolve(stage, canonical)
        return typeof id === "string" ? Effect.succeed(id) : Effect.fail(id)
      })
    return {
      reserveDraftId: (r) => reserve("draft", canonicalSignature([r.comboId, r.templateId, r.llmModelId, r.replicate])),
      reserveEssayId: (r) => reserve("essay", canonicalSignature([r.draftGenId, r.templateId, r.replicate])),
      reserveEvaluationId: (r) =>
        reserve("evaluation", canonicalSignature([r.essayGenId, r.templateId, r.llmModelId, r.replicate])),
      reserveMany: (stage, canonicals) =>
        Effect.gen(function*() {
          const ids: Array<string> = new Array(canonicals.length)
          for (let start = 0; start < canonicals.length; start += SYNC_CHUNK) {
            const end = Math.min(canonicals.length, start + SYNC_CHUNK)
            for (let i = start; i < end; i++) {
              const id = resolve(stage, canonicals[i]!)
              if (typeof id !== "string") return yield* id
              ids[i] = id
            }
            yield* yieldToEventLoop
          }
          return ids
        })
    } satisfies GenerationRegistry
  })

/** `RegistryFactory` over the `gens/` store of a data root. */
export const DiskRegistryFactory = {
  layer: (dataRoot: string): Layer.Layer<RegistryFactory> =>
    Layer.succeed(
      RegistryFactory,
      RegistryFactory.of({
        createRegistry: Effect.fn("DiskRegistryFactory.createRegistry")(function*() {
          return yield* makeDiskRegistry(dataRoot)
        })
      })
    )
}
