// The one packing format of what crosses to a worker thread (WorkerJob.ts): a few large values in place
// of many small ones, because structured cloning costs per value (4.4M strings cost a worker ~0.7 s before
// its first write; the packed columns ~0.1 s). Effect-free: both threads run it.

/** Byte pieces as one buffer and where each piece ends in it. */
export interface PackedPieces {
  readonly bytes: Uint8Array
  readonly ends: Int32Array
}

/** Packs byte pieces into one buffer (one copy for the worker instead of one per piece). */
export const packPieces = (pieces: ReadonlyArray<Uint8Array>): PackedPieces => {
  const ends = new Int32Array(pieces.length)
  let end = 0
  for (let i = 0; i < pieces.length; i++) {
    end += pieces[i]!.length
    ends[i] = end
  }
  return { bytes: Buffer.concat(pieces as Array<Uint8Array>), ends }
}

const NON_ASCII = /[\u0080-\uffff]/

/**
 * Texts as UTF-8 pieces packed into one buffer in shared memory, without a buffer per text: `packPieces`
 * of each text's bytes. ASCII texts (nearly always) are encoded in one go, their lengths their ends.
 */
export const pieceTable = (texts: ReadonlyArray<string>): PackedPieces => {
  const joined = texts.join("")
  const ascii = !NON_ASCII.test(joined)
  const ends = new Int32Array(new SharedArrayBuffer(4 * texts.length))
  let end = 0
  for (let i = 0; i < texts.length; i++) {
    end += ascii ? texts[i]!.length : Buffer.byteLength(texts[i]!, "utf8")
    ends[i] = end
  }
  const bytes = Buffer.from(new SharedArrayBuffer(end))
  if (ascii) bytes.write(joined, 0, "latin1")
  // Each on its own: a surrogate half at a text's end must not pair with one starting the next.
  else for (let i = 0; i < texts.length; i++) bytes.write(texts[i]!, i === 0 ? 0 : ends[i - 1]!, "utf8")
  return { bytes, ends }
}

/** The `i`-th piece of a packing, as a view of its buffer (nothing copied). */
export const pieceAt = ({ bytes, ends }: PackedPieces, i: number): Uint8Array =>
  bytes.subarray(i === 0 ? 0 : ends[i - 1]!, ends[i]!)

/** The length of the longest piece of a packing (0 when it has none). */
export const longestPiece = ({ ends }: PackedPieces): number => {
  let longest = 0
  for (let i = 0; i < ends.length; i++) longest = Math.max(longest, ends[i]! - (i === 0 ? 0 : ends[i - 1]!))
  return longest
}

/** Texts holding no newline (ids: checked folder names) as one string. */
export const packLines = (texts: ReadonlyArray<string>): string => texts.join("\n")

/** The `rows` texts `packLines` packed; a count that differs means a text held a newline (a bug: throws). */
export const unpackLines = (joined: string, rows: number): Array<string> => {
  const texts = rows === 0 ? [] : joined.split("\n")
  if (texts.length !== rows) throw new Error(`packed ids: ${texts.length} for ${rows} rows (an id held a newline)`)
  return texts
}

/** Any texts (a newline too) as one string and where each ends in it. */
export interface PackedTexts {
  readonly joined: string
  readonly ends: Int32Array
}

/** Packs texts into one string (one value to clone for a worker instead of one per text). */
export const packTexts = (texts: ReadonlyArray<string>): PackedTexts => {
  const ends = new Int32Array(texts.length)
  let end = 0
  for (let i = 0; i < texts.length; i++) ends[i] = end += texts[i]!.length
  return { joined: texts.join(""), ends }
}

/** The texts `packTexts` packed. */
export const unpackTexts = ({ ends, joined }: PackedTexts): Array<string> => {
  const texts = new Array<string>(ends.length)
  for (let i = 0, start = 0; i < ends.length; start = ends[i++]!) texts[i] = joined.slice(start, ends[i])
  return texts
}

/** Few distinct texts as codes into one list: `code` gives a text's code, `texts` the list. */
export class TextCodes {
  readonly texts: Array<string> = []
  private readonly codes = new Map<string, number>()

  code(text: string): number {
    let c = this.codes.get(text)
    if (c === undefined) this.codes.set(text, c = this.texts.push(text) - 1)
    return c
  }
}

/** A typed array over shared memory (written by one thread, read by another without a copy). */
export const sharedArray = <A>(make: new(buffer: SharedArrayBuffer) => A, length: number, bytes: number): A =>
  new make(new SharedArrayBuffer(length * bytes))

/** Whole numbers as doubles, a bigint (beyond 2^31 - 1) as -(k + 1) for `big[k]` (bigints survive cloning). */
export interface PackedWholeNumbers {
  readonly values: Float64Array
  readonly big: Array<bigint>
}

/** Room for `rows` whole numbers, set one by one with `packWholeNumber`. */
export const wholeNumbers = (rows: number): PackedWholeNumbers => ({
  values: sharedArray(Float64Array, rows, 8),
  big: []
})

/** Sets the `i`-th whole number (≥ 0) of a packing. */
export const packWholeNumber = (packed: PackedWholeNumbers, i: number, value: number | bigint): void => {
  packed.values[i] = typeof value === "number" ? value : -packed.big.push(value)
}

/** The whole numbers `packWholeNumber` set. */
export const unpackWholeNumbers = (packed: PackedWholeNumbers): Array<number | bigint> =>
  Array.from(packed.values, (r) => (r < 0 ? packed.big[-r - 1]! : r))
