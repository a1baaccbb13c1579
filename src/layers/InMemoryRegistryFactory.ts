import { Effect, Layer } from "effect"
import { GenIdHasher } from "../domain/GenId.js"
import { draftSignature, essaySignature, evaluationSignature } from "../domain/Signature.js"
import type { GenerationRegistry } from "../services/GenerationRegistry.js"
import { RegistryFactory } from "../services/RegistryFactory.js"

/** A registry of pure ids: every signature gets its deterministic id, no store is consulted. */
export const makeInMemoryRegistry: Effect.Effect<GenerationRegistry> = Effect.map(GenIdHasher, (hasher) => ({
  pureIds: true,
  reserveDraftId: (r) =>
    Effect.sync(() => hasher.idOf("draft", draftSignature(r.comboId, r.templateId, r.llmModelId, r.replicate))),
  reserveEssayId: (r) =>
    Effect.sync(() => hasher.idOf("essay", essaySignature(r.draftGenId, r.templateId, r.replicate))),
  reserveEvaluationId: (r) =>
    Effect.sync(() =>
      hasher.idOf("evaluation", evaluationSignature(r.essayGenId, r.templateId, r.llmModelId, r.replicate))
    ),
  reserveMany: (stage, canonicals) =>
    Effect.sync(() => {
      const ids: Array<string> = new Array(canonicals.length)
      for (let i = 0; i < canonicals.length; i++) ids[i] = hasher.idOf(stage, canonicals[i]!)
      return ids
    })
}))

const registryFactoryLayer: Layer.Layer<RegistryFactory> = Layer.succeed(RegistryFactory, {
  createRegistry: Effect.fn("InMemoryRegistryFactory.createRegistry")(function*() {
    return yield* makeInMemoryRegistry
  })
})

/**
 * `RegistryFactory` whose registries hand out pure deterministic ids: `InMemoryRegistryFactory.layer`.
 * Provided as it is, it is the same layer (the older shape, kept for existing embedders).
 */
export const InMemoryRegistryFactory: Layer.Layer<RegistryFactory> & {
  /** The factory. */
  readonly layer: Layer.Layer<RegistryFactory>
} = Object.assign(registryFactoryLayer, { layer: registryFactoryLayer })
