import { Effect, Either } from "effect"
import * as nodePath from "node:path"
import { type Design, designFromRows, FIELD_ALIASES } from "../domain/CohortDefinition.js"
import { metadataReplicate, metadataText } from "../domain/GenerationMetadata.js"
import { GenIdHasher, genIdProblem } from "../domain/GenId.js"
import { pyStrip } from "../domain/PythonText.js"
import { draftSignature, essaySignature } from "../domain/Signature.js"
import { pyStr, type SpecValue } from "../domain/SpecValue.js"
import type { Stage } from "../domain/Stage.js"
import { GenerationMetadataMissing } from "../errors/GenerationMetadataMissing.js"
import { InvalidSpec } from "../errors/InvalidSpec.js"
import type { GensStoreService } from "../gens/GensStoreService.js"

/** Design columns that name an existing generation instead of the fields of the stages above it. */
export const REUSE_COLUMNS = { essay: "essay_gen_id", draft: "draft_gen_id" } as const

/** Fields a reused generation supplies, and so a row reusing it must not carry. */
const DRAFT_FIELDS = ["combo_id", "draft_template", "draft_llm", "draft_replicate"] as const
const ESSAY_FIELDS = [...DRAFT_FIELDS, "essay_template", "essay_llm", "essay_replicate"] as const

/** How `reuseGenerations` names the spec in its errors. */
export interface ReuseOptions {
  /** The spec file, named in errors. */
  readonly source: string
}

/** Options of `resolveReuse`: the store reused generations are read from, if any. */
export interface ResolveReuseOptions extends ReuseOptions {
  /** The data root's `GensStore`; without one, a design that reuses ids is refused. */
  readonly gens?: GensStoreService | undefined
}

interface Resolved {
  readonly values: ReadonlyArray<string | number | bigint>
}

/** A reused draft's combo, template, LLM and replicate. */
type DraftParts = readonly [string, string, string, number | bigint]

type Failure = InvalidSpec | GenerationMetadataMissing

/**
 * A design whose rows may carry `essay_gen_id` (or `draft_gen_id`) in place of the fields above that
 * stage, turned into an ordinary design: each id is resolved through `gens/<stage>/<id>/metadata.json`
 * (the essay's parent draft, the draft's combo, each one's template, LLM and replicate), so the build
 * gives the reused generations their existing ids and the new evaluations (or essays) the ids the
 * original assigns below them. The reused metadata is only read. A design without those columns is
 * returned as it is. `reuseGenerations` is this over the `GensStore` of its context; the spec compilers call
 * it with the store they were given (none for a spec object: no data root).
 */
export const resolveReuse = (
  design: Design,
  options: ResolveReuseOptions
): Effect.Effect<Design, InvalidSpec | GenerationMetadataMissing> =>
  Effect.gen(function*() {
    const essayColumn = design.columns.indexOf(REUSE_COLUMNS.essay)
    const draftColumn = design.columns.indexOf(REUSE_COLUMNS.draft)
    if (essayColumn < 0 && draftColumn < 0) return design
    if (options.gens === undefined) {
      return yield* new InvalidSpec({
        path: options.source,
        key: design.columns[essayColumn >= 0 ? essayColumn : draftColumn]!,
        reason: "reusing generations by id needs a data root to read their metadata from (--data-root)"
      })
    }
    const hasher = yield* GenIdHasher
    const gens = options.gens
    const added = ESSAY_FIELDS.filter((f) => !design.columns.includes(f))
    const columns = [...design.columns, ...added]
    const position = (field: string) => columns.indexOf(field)
    // An id with a collision suffix `-k` (the original's k-th candidate when the pure id's folder held
    // another signature) is rebuilt by hashing with `|collision:k`, as the original made it.
    const rebuilds = (stage: Stage, signature: string, id: string): boolean => {
      const suffix = /-([1-9]\d{0,5})$/.exec(id)
      return hasher.idOf(stage, signature, suffix === null ? 0 : Number(suffix[1])) === id
    }
    const cache = new Map<string, Either.Either<Resolved, Failure>>()
    const rows: Array<Array<SpecValue>> = []
    let failure: InvalidSpec | GenerationMetadataMissing | undefined
    const textAt = (row: ReadonlyArray<SpecValue>, c: number): string => {
      const v = c < 0 || c >= row.length ? null : row[c]
      return v === null || v === undefined ? "" : pyStrip(pyStr(v))
    }
    /** A draft's fields (DRAFT_FIELDS order), refused when its metadata does not rebuild its id. */
    const draft = (draftId: string, via: string, key: string): Either.Either<DraftParts, Failure> =>
      Either.flatMap(metadataOf("draft", draftId, via, gens), (m): Either.Either<DraftParts, Failure> => {
        const parts = [m.text("combo_id"), m.text("template_id"), m.text("llm_model_id"), m.replicate] as const
        const missing = ["combo_id", "template_id", "llm_model_id"].find((_, i) => parts[i] === "")
        if (missing !== undefined) return Either.left(m.lacks(missing))
        return rebuilds("draft", draftSignature(...parts), draftId)
          ? Either.right(parts)
          : Either.left(notPure(options.source, key, "draft", draftId, m.path))
      })
    /** An essay's fields (ESSAY_FIELDS order): its draft's, then its own. */
    const essay = (id: string, key: string): Either.Either<Resolved["values"], Failure> =>
      Either.flatMap(metadataOf("essay", id, key, gens), (m): Either.Either<Resolved["values"], Failure> => {
        const missing = ["parent_gen_id", "template_id", "llm_model_id"].find((f) => m.text(f) === "")
        if (missing !== undefined) return Either.left(m.lacks(missing))
        return Either.flatMap(
          draft(m.text("parent_gen_id"), `${key} → parent_gen_id`, key),
          (parts): Either.Either<Resolved["values"], Failure> =>
            rebuilds("essay", essaySignature(m.text("parent_gen_id"), m.text("template_id"), m.replicate), id)
              ? Either.right([...parts, m.text("template_id"), m.text("llm_model_id"), m.replicate])
              : Either.left(notPure(options.source, key, "essay", id, m.path))
        )
      })
    /** The fields (DRAFT_FIELDS or ESSAY_FIELDS order) an id resolves to, its ids checked; once per id. */
    const resolve = (stage: Stage, id: string, key: string): Either.Either<Resolved, Failure> => {
      const cached = cache.get(`${stage}/${id}`)
      if (cached !== undefined) return cached
      const out = Either.map(stage === "draft" ? draft(id, key, key) : essay(id, key), (values) => ({ values }))
      cache.set(`${stage}/${id}`, out)
      return out
    }

    design.forEachRow((row, r) => {
      const essayId = essayColumn >= 0 ? textAt(row, essayColumn) : ""
      const draftId = draftColumn >= 0 ? textAt(row, draftColumn) : ""
      const out: Array<SpecValue> = [...row, ...added.map(() => null)]
      if (essayId === "" && draftId === "") {
        rows.push(out)
        return
      }
      const stage: Stage = essayId !== "" ? "essay" : "draft"
      const id = stage === "essay" ? essayId : draftId
      const key = `rows[${r}].${REUSE_COLUMNS[stage]}`
      const fields = stage === "essay" ? ESSAY_FIELDS : DRAFT_FIELDS
      const conflict = stage === "essay" && draftId !== ""
        ? REUSE_COLUMNS.draft
        : fields.flatMap((f) => FIELD_ALIASES[f]).find((alias) => textAt(row, design.columns.indexOf(alias)) !== "")
      if (conflict !== undefined) {
        failure = new InvalidSpec({
          path: options.source,
          key: `rows[${r}].${conflict}`,
          reason: `a row that reuses ${stage} ${
            JSON.stringify(id)
          } by id takes ${conflict} from its metadata; it must not also give it`
        })
        return false
      }
      const problem = genIdProblem(id)
      if (problem !== undefined) {
        failure = new InvalidSpec({
          path: options.source,
          key,
          reason: problem,
          value: JSON.stringify(id.slice(0, 120))
        })
        return false
      }
      const resolved = resolve(stage, id, key)
      if (Either.isLeft(resolved)) {
        failure = resolved.left
        return false
      }
      fields.forEach((f, i) => {
        out[position(f)] = resolved.right.values[i]!
      })
      rows.push(out)
    })
    if (failure !== undefined) return yield* failure
    return designFromRows(columns, rows)
  })

/**
 * A reused id that its own metadata does not rebuild (with its collision suffix, if any): a foreign or
 * hand-made id.
 */
const notPure = (source: string, key: string, stage: Stage, id: string, path: string) =>
  new InvalidSpec({
    path: source,
    key,
    value: JSON.stringify(id),
    reason:
      `the metadata of ${stage} ${JSON.stringify(id)} (${path}) does not rebuild that id, so it cannot be reused ` +
      `(a hand-made or foreign id)`
  })

const metadataOf = (stage: Stage, id: string, key: string, gens: GensStoreService) => {
  const path = nodePath.join(gens.dir, stage, id, "metadata.json")
  const problem = genIdProblem(id)
  const fail = (reason: string) => new GenerationMetadataMissing({ stage, genId: id, path, reason, key })
  if (problem !== undefined) return Either.left(fail(problem))
  const m = gens.metadataOf(stage, id)
  if (m === undefined) return Either.left(fail("its metadata.json is missing or is not a JSON object"))
  const replicate = metadataReplicate(m)
  if (replicate === undefined) {
    const rep = metadataText(m, "replicate")
    return Either.left(fail(`its replicate is not a whole number ≥ 1 (${JSON.stringify(rep.slice(0, 40))})`))
  }
  return Either.right({
    path,
    replicate,
    text: (field: string) => metadataText(m, field),
    lacks: (field: string) => fail(`its metadata.json has no ${field}`)
  })
}
