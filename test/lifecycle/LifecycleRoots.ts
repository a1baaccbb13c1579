import { NodeContext } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { buildCohortMembership, dataRootLayer, type DataRootServices } from "../../src/index.js"

/** Provides the live data-root layers over Node's file system. */
export const onRoot = <A, E>(root: string, effect: Effect.Effect<A, E, DataRootServices | NodeContext.NodeContext>) =>
  effect.pipe(
    Effect.provide(Layer.merge(dataRootLayer(root).pipe(Layer.provide(NodeContext.layer)), NodeContext.layer))
  )

export const buildOn = (root: string, cohortId: string) => onRoot(root, buildCohortMembership(cohortId))

/**
 * Adds cohort `pilot-b` to a copy of the example data root: the pilot's spec judged by one template and
 * one replicate only, so it shares all drafts and essays and a quarter of the evaluations with the pilot.
 */
export const addPilotB = (root: string, cohortId = "pilot-b"): string => {
  const from = path.join(root, "cohorts", "daydream-pilot", "spec")
  const to = path.join(root, "cohorts", cohortId, "spec")
  fs.cpSync(from, to, { recursive: true })
  const config = path.join(to, "config.yaml")
  fs.writeFileSync(
    config,
    fs.readFileSync(config, "utf8")
      .replace("evaluation_template: [daydreaming-verification-v3, novelty-v2]", "evaluation_template: [novelty-v2]")
      .replace("evaluation_replicate: ['1', '2']", "evaluation_replicate: ['1']")
  )
  return config
}

/** Writes a runner's files into a generation folder (as the original's Dagster assets would). */
export const writeGenerationFiles = (root: string, stage: string, genId: string, files: ReadonlyArray<string>) => {
  for (const f of files) fs.writeFileSync(path.join(root, "gens", stage, genId, f), `${f} of ${genId}\n`)
}

/** `stage,gen_id` rows of a cohort's membership.csv. */
export const membershipOf = (root: string, cohortId: string): Array<{ stage: string; genId: string }> =>
  fs.readFileSync(path.join(root, "cohorts", cohortId, "membership.csv"), "utf8").trim().split("\n").slice(1)
    .map((line) => {
      const [stage, genId] = line.split(",")
      return { stage: stage!, genId: genId! }
    })
