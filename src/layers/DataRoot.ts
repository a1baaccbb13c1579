import type { Path } from "@effect/platform"
import type { Stage } from "../domain/Stage.js"

/** The data root layout (REFERENCE §2). */
export const dataRootPaths = (path: Path.Path, dataRoot: string) => {
  const root = path.resolve(dataRoot)
  return {
    root,
    raw: (file: string) => path.join(root, "1_raw", file),
    comboMappings: path.join(root, "combo_mappings.csv"),
    cohortDir: (cohortId: string) => path.join(root, "cohorts", cohortId),
    specFile: (cohortId: string) => path.join(root, "cohorts", cohortId, "spec", "config.yaml"),
    gensStage: (stage: Stage) => path.join(root, "gens", stage),
    genDir: (stage: Stage, genId: string) => path.join(root, "gens", stage, genId),
    metadataFile: (stage: Stage, genId: string) => path.join(root, "gens", stage, genId, "metadata.json")
  }
}
export type DataRootPaths = ReturnType<typeof dataRootPaths>
