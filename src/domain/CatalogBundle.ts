import type { ColumnTable } from "./Frame.js"

/** The catalog slices a build validates against, by name. */
export const CATALOG_SLICES = [
  "combo_mappings",
  "draft_templates",
  "essay_templates",
  "evaluation_templates",
  "llm_models"
] as const
/** The name of a catalog slice a build validates against. */
export type CatalogSlice = (typeof CATALOG_SLICES)[number]

/** Columns the global combo catalog must carry. */
export const COMBO_MAPPINGS_COLUMNS = [
  "combo_id",
  "version",
  "concept_id",
  "description_level",
  "k_max",
  "created_at"
] as const

/** Catalog frames keyed by slice name, plus metadata about where they came from. */
export interface CatalogBundle {
  readonly frames: Readonly<Record<string, ColumnTable>>
  readonly metadata: Readonly<Record<string, unknown>>
}
