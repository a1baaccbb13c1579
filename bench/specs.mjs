// The bench specs' shape, read without our code (for the floors and the counts the bench checks).
import * as fs from "node:fs"
import * as path from "node:path"
import { parse } from "yaml"

/** The bench specs' axes (plain lists or `@file:` CSVs whose first column is the level). */
export const axesOf = (specDir) => {
  const axes = parse(fs.readFileSync(path.join(specDir, "config.yaml"), "utf8")).axes
  const levels = (name, fallback) => {
    const v = axes[name]
    if (v === undefined) return fallback
    if (typeof v === "string" && v.startsWith("@file:")) {
      return fs.readFileSync(path.join(specDir, v.slice(6)), "utf8").trim().split("\n").slice(1).map((l) =>
        l.split(",")[0]
      )
    }
    return v.map(String)
  }
  const low = (xs) => xs.map((x) => x.trim().toLowerCase())
  return {
    combos: low(levels("combo_id")),
    draftTemplates: low(levels("draft_template")),
    draftLlms: low(levels("draft_llm")),
    draftReplicates: levels("draft_template_replicate", ["1"]).map(Number),
    essayTemplates: low(levels("essay_template")),
    essayReplicates: levels("essay_template_replicate", ["1"]).map(Number),
    evaluationTemplates: low(levels("evaluation_template")),
    evaluationLlms: low(levels("evaluation_llm")),
    evaluationReplicates: levels("evaluation_template_replicate", ["1"]).map(Number)
  }
}

/** Drafts, essays and evaluations of a bench spec (a full product; the bench specs have no repeats). */
export const countsOf = (specDir) => {
  const a = axesOf(specDir)
  const drafts = a.combos.length * a.draftTemplates.length * a.draftLlms.length * a.draftReplicates.length
  const essays = drafts * a.essayTemplates.length * a.essayReplicates.length
  const evaluations = essays * a.evaluationTemplates.length * a.evaluationLlms.length * a.evaluationReplicates.length
  return { drafts, essays, evaluations, rows: drafts + essays + evaluations }
}
