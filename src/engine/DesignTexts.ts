import { fieldText, hasControl } from "../domain/DefinitionFromRows.js"
import type { SpecValue } from "../domain/SpecValue.js"

// What the fast definition builder numbers and dedupes with: interned field texts, packed entry keys,
// sets of (essay, triple) pairs.

/** The text id of a value that has no text (null, blank). */
export const EMPTY = -1
/** The text id of a value whose text holds a control character. */
export const BAD = -2

/** Interns the stripped text of design values: a value is converted once, however many rows hold it. */
export const makeTextPool = () => {
  const byValue = new Map<SpecValue, number>()
  const byText = new Map<string, number>()
  const texts: Array<string> = []
  return {
    texts,
    id: (value: SpecValue | undefined): number => {
      if (value === null || value === undefined) return EMPTY
      let id = byValue.get(value)
      if (id === undefined) {
        const text = fieldText(value)
        if (text === "") id = EMPTY
        else if (hasControl(text)) id = BAD
        else {
          id = byText.get(text)
          if (id === undefined) {
            id = texts.length
            texts.push(text)
            byText.set(text, id)
          }
        }
        byValue.set(value, id)
      }
      return id
    }
  }
}

export type TextPool = ReturnType<typeof makeTextPool>

// Keys pack (template, llm, replicate) into one number while ids stay below 2^16 and the replicate below
// 2^20 (nearly always); beyond, the key is a text, which a number key never equals.
const PACK_IDS = 65536
const PACK_REPLICATES = 1 << 20

export type Pack = number | string

/** One key for an entry's (template, llm, replicate) among the children of its parent. */
export const pack = (template: number, llm: number, replicate: number): Pack =>
  template < PACK_IDS && llm < PACK_IDS && replicate >= 0 && replicate < PACK_REPLICATES
    ? (template * PACK_IDS + llm) * PACK_REPLICATES + replicate
    : `${template},${llm},${replicate}`

/**
 * A set of (essay, triple) pairs; `add` says whether the pair is new. With a bound on triples (below
 * 256) it is a bitmap, else a set of triples per essay.
 */
export const makePairSet = (tripleBound: number | undefined): (essay: number, triple: number) => boolean => {
  if (tripleBound !== undefined && tripleBound <= 256) {
    let bits = new Uint32Array(1024)
    return (essay, triple) => {
      const bit = essay * tripleBound + triple
      const word = Math.floor(bit / 32)
      if (word >= bits.length) {
        const grown = new Uint32Array(Math.max(bits.length * 2, word + 1))
        grown.set(bits)
        bits = grown
      }
      const mask = 1 << (bit % 32)
      if ((bits[word]! & mask) !== 0) return false
      bits[word] = bits[word]! | mask
      return true
    }
  }
  const sets: Array<Set<number>> = []
  return (essay, triple) => {
    const set = sets[essay] ??= new Set()
    const before = set.size
    return set.add(triple).size !== before
  }
}
