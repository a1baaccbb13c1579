import { type GenIdHasher, writeIdBytes } from "../domain/IdHasher.js"
import type { PureMembership } from "../domain/MembershipGeneration.js"
import { longestPiece, pieceTable } from "../parallel/Packing.js"
import type { ChunkBuffer } from "./ChunkBuffer.js"
import { type EvaluationRowsJob, REPLICATE_DIGITS, ROW_OVERHEAD } from "./EvaluationRows.js"
import { csvField } from "./RowFormat.js"

// The drafts and essays of a membership of pure ids straight into CSV bytes: each signature is put
// together in the hasher's input from the normalized texts' bytes (encoded once each), each id written
// as bytes into its row, and the essays' ids into the evaluation job's tables, without a string per row.
// Its plain twin is the membership's rows (`streamMembership`'s drafts and essays through
// `MembershipCsvEncoder.add`); test/engine/MembershipOutput.prop.test.ts proves them equal.

/** An id's bytes at most: a stage letter, `_`, and the base36 digits of 80 bits (16). */
const ID_BYTES = 24
const COMMA = 0x2c
const NEWLINE = 0x0a
const PIPE = 0x7c

const utf8 = (text: string): Uint8Array => Buffer.from(text, "utf8")
const longest = (pieces: ReadonlyArray<Uint8Array>): number => pieces.reduce((n, b) => Math.max(n, b.length), 0)

/** Copies `bytes` into `out` at `pos`; returns the position after them (short pieces: a loop beats `set`). */
const put = (bytes: Uint8Array, out: Uint8Array, pos: number): number => {
  for (let k = 0; k < bytes.length; k++) out[pos + k] = bytes[k]!
  return pos + bytes.length
}

/** Copies `bytes[from, to)` into `out` at `pos`; returns the position after them. */
const putRange = (bytes: Uint8Array, from: number, to: number, out: Uint8Array, pos: number): number => {
  for (let k = from; k < to; k++) out[pos++] = bytes[k]!
  return pos
}

/**
 * Writes the draft and essay rows of `plan` into `out` and returns the job of its evaluation rows (the
 * essays' pieces made from their ids' bytes); `undefined`, with nothing written, when a text is too long
 * for a signature in the hasher's input or for a row of `maxRow` bytes.
 */
export const pureMembershipRows = (
  cohortId: string,
  plan: PureMembership,
  hasher: GenIdHasher,
  out: ChunkBuffer,
  maxRow: number
): EvaluationRowsJob | undefined => {
  const { columns, normCombos, normLlms, normTemplates } = plan
  const { combos, drafts, essays, evaluations, llms, templates } = columns
  const row = (texts: ReadonlyArray<string>) => texts.map((t) => utf8(csvField(t)))
  const sig = (texts: ReadonlyArray<string>) => texts.map((t) => utf8(`${t}|`))
  const origin = utf8(csvField(cohortId))
  const comboRow = row(combos)
  const draftTemplateRow = row(templates.draft)
  const draftLlmRow = row(llms.draft)
  const essayTemplateRow = row(templates.essay)
  const essayLlmRow = row(llms.essay)
  const comboSig = sig(normCombos)
  const draftTemplateSig = sig(normTemplates.draft)
  const draftLlmSig = sig(normLlms.draft)
  const essayTemplateSig = sig(normTemplates.essay)
  const evaluationTemplateHash = pieceTable(normTemplates.evaluation.map((t) => `${t}|`))
  const evaluationTemplateRow = pieceTable(templates.evaluation.map((t) => `${csvField(t)},`))
  const llmHash = pieceTable(normLlms.evaluation.map((l) => `${l}|`))
  const llmRow = pieceTable(llms.evaluation.map((l) => `${csvField(l)},`))

  // Nothing is written unless every signature fits the hasher's input and every row fits `maxRow`.
  const input = hasher.input
  const draftSignature = longest(comboSig) + longest(draftTemplateSig) + longest(draftLlmSig) + REPLICATE_DIGITS
  const essaySignature = ID_BYTES + 1 + longest(essayTemplateSig) + REPLICATE_DIGITS
  const evaluationSignature = ID_BYTES + 1 + longestPiece(evaluationTemplateHash) + longestPiece(llmHash) +
    REPLICATE_DIGITS
  const essayRowPiece = 3 + origin.length + ID_BYTES + longest(comboRow)
  const rows = [
    2 * ID_BYTES + origin.length + longest(comboRow) + longest(draftTemplateRow) + longest(draftLlmRow),
    2 * ID_BYTES + origin.length + longest(comboRow) + longest(essayTemplateRow) + longest(essayLlmRow),
    essayRowPiece + longestPiece(evaluationTemplateRow) + longestPiece(llmRow)
  ]
  if (Math.max(draftSignature, essaySignature, evaluationSignature) > input.length) return undefined
  if (Math.max(...rows) + ROW_OVERHEAD > maxRow) return undefined

  const digits: Array<Uint8Array> = []
  const digitsOf = (r: number) => digits[r] ??= Buffer.from(String(r), "latin1")
  const DRAFT = Buffer.from("draft,", "latin1")
  const ESSAY = Buffer.from("essay,", "latin1")

  // Drafts: `draft,<id>,<origin>,,<combo>,<template>,<llm>,<replicate>`; each id kept for its essays.
  const draftIds = new Uint8Array(drafts.size * ID_BYTES)
  const draftIdEnds = new Int32Array(drafts.size)
  const draftReps = plan.draftReplicates
  for (let i = 0; i < drafts.size; i++) {
    const c = drafts.parent[i]!
    const t = drafts.template[i]!
    const l = drafts.llm[i]!
    const rep = digitsOf(draftReps[i]!)
    let n = put(comboSig[c]!, input, 0)
    n = put(draftTemplateSig[t]!, input, n)
    n = put(draftLlmSig[l]!, input, n)
    n = put(rep, input, n)
    const idEnd = writeIdBytes("draft", hasher.digestOf(n), draftIds, i * ID_BYTES)
    draftIdEnds[i] = idEnd
    out.ensure(ROW_OVERHEAD + rows[0]!)
    const buffer = out.buffer
    let pos = put(DRAFT, buffer, out.pos)
    pos = putRange(draftIds, i * ID_BYTES, idEnd, buffer, pos)
    buffer[pos++] = COMMA
    pos = put(origin, buffer, pos)
    buffer[pos++] = COMMA
    buffer[pos++] = COMMA
    pos = put(comboRow[c]!, buffer, pos)
    buffer[pos++] = COMMA
    pos = put(draftTemplateRow[t]!, buffer, pos)
    buffer[pos++] = COMMA
    pos = put(draftLlmRow[l]!, buffer, pos)
    buffer[pos++] = COMMA
    pos = put(rep, buffer, pos)
    buffer[pos++] = NEWLINE
    out.pos = pos
  }

  // Essays: `essay,<id>,<origin>,<draft id>,<combo>,<template>,<llm>,<replicate>`; and per essay the
  // evaluation job's pieces `<id>|` (signature) and `,<origin>,<id>,<combo>,` (row).
  const essayHash = new Uint8Array(new SharedArrayBuffer(essays.size * (ID_BYTES + 1)))
  const essayHashEnds = new Int32Array(new SharedArrayBuffer(4 * essays.size))
  const essayRow = new Uint8Array(new SharedArrayBuffer(essays.size * essayRowPiece))
  const essayRowEnds = new Int32Array(new SharedArrayBuffer(4 * essays.size))
  const essayReps = plan.essayReplicates
  let hashAt = 0
  let rowAt = 0
  for (let i = 0; i < essays.size; i++) {
    const d = essays.parent[i]!
    const t = essays.template[i]!
    const c = drafts.parent[d]!
    const rep = digitsOf(essayReps[i]!)
    const draftFrom = d * ID_BYTES
    const draftTo = draftIdEnds[d]!
    let n = putRange(draftIds, draftFrom, draftTo, input, 0)
    input[n++] = PIPE
    n = put(essayTemplateSig[t]!, input, n)
    n = put(rep, input, n)
    const digest = hasher.digestOf(n)
    out.ensure(ROW_OVERHEAD + rows[1]!)
    const buffer = out.buffer
    const idFrom = out.pos + ESSAY.length
    put(ESSAY, buffer, out.pos)
    const idTo = writeIdBytes("essay", digest, buffer, idFrom)
    let pos = idTo
    buffer[pos++] = COMMA
    pos = put(origin, buffer, pos)
    buffer[pos++] = COMMA
    pos = putRange(draftIds, draftFrom, draftTo, buffer, pos)
    buffer[pos++] = COMMA
    pos = put(comboRow[c]!, buffer, pos)
    buffer[pos++] = COMMA
    pos = put(essayTemplateRow[t]!, buffer, pos)
    buffer[pos++] = COMMA
    pos = put(essayLlmRow[essays.llm[i]!]!, buffer, pos)
    buffer[pos++] = COMMA
    pos = put(rep, buffer, pos)
    buffer[pos++] = NEWLINE
    out.pos = pos
    hashAt = putRange(buffer, idFrom, idTo, essayHash, hashAt)
    essayHash[hashAt++] = PIPE
    essayHashEnds[i] = hashAt
    essayRow[rowAt++] = COMMA
    rowAt = put(origin, essayRow, rowAt)
    essayRow[rowAt++] = COMMA
    rowAt = putRange(buffer, idFrom, idTo, essayRow, rowAt)
    essayRow[rowAt++] = COMMA
    rowAt = put(comboRow[c]!, essayRow, rowAt)
    essayRow[rowAt++] = COMMA
    essayRowEnds[i] = rowAt
  }

  return {
    essayHash: { bytes: essayHash, ends: essayHashEnds },
    essayRow: { bytes: essayRow, ends: essayRowEnds },
    templateHash: evaluationTemplateHash,
    templateRow: evaluationTemplateRow,
    llmHash,
    llmRow,
    parent: evaluations.parent,
    template: evaluations.template,
    llm: evaluations.llm,
    replicate: evaluations.replicate
  }
}
