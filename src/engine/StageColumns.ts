/**
 * One stage of a definition in columns: entry `i` is (`parent[i]`, `template[i]`, `llm[i]`,
 * `replicate[i]`), the first three indices into the definition's texts (a draft's parent is its combo,
 * an essay's its draft, an evaluation's its essay).
 */
export interface StageColumns {
  readonly size: number
  readonly parent: Int32Array
  readonly template: Int32Array
  readonly llm: Int32Array
  readonly replicate: Int32Array
}

/** 32-bit integers over shared memory: a worker thread reads them without a copy. */
const DEFAULT_CAPACITY = 1024
/** A larger capacity is not reserved up front (the column grows past it if it must). */
const MAX_CAPACITY = 1 << 27

const sharedInts = (length: number) => new Int32Array(new SharedArrayBuffer(length * 4))

/**
 * A growable column of 32-bit integers. `capacity` is a bound the caller knows (a design's row count
 * bounds its evaluations): the column then never grows; memory it does not fill is never touched, so
 * the operating system does not even back it.
 */
export class IntColumn {
  private data: Int32Array
  size = 0
  constructor(capacity = DEFAULT_CAPACITY) {
    this.data = sharedInts(
      Number.isSafeInteger(capacity) ? Math.min(Math.max(capacity, 1), MAX_CAPACITY) : DEFAULT_CAPACITY
    )
  }
  push(value: number): void {
    if (this.size === this.data.length) this.grow(this.size + 1)
    this.data[this.size++] = value
  }
  /** Appends `values`, or `count` times `value`. */
  pushAll(values: Int32Array | number, count = typeof values === "number" ? 1 : values.length): void {
    if (this.size + count > this.data.length) this.grow(this.size + count)
    // Loops, not fill/set: those cost ~1-2 µs a call (Node 20), more than a short run's stores.
    const { data, size } = this
    if (typeof values === "number") { for (let i = 0; i < count; i++) data[size + i] = values }
    else for (let i = 0; i < count; i++) data[size + i] = values[i]!
    this.size = size + count
  }
  private grow(atLeast: number): void {
    let length = this.data.length * 2
    while (length < atLeast) length *= 2
    const grown = sharedInts(length)
    grown.set(this.data)
    this.data = grown
  }
  /** The filled part (a view; the column must not grow afterwards). */
  view(): Int32Array {
    return this.data.subarray(0, this.size)
  }
}

/** The four columns of one stage, filled row by row. */
export class StageBuilder {
  readonly parent: IntColumn
  readonly template: IntColumn
  readonly llm: IntColumn
  readonly replicate: IntColumn
  constructor(capacity?: number) {
    this.parent = new IntColumn(capacity)
    this.template = new IntColumn(capacity)
    this.llm = new IntColumn(capacity)
    this.replicate = new IntColumn(capacity)
  }
  get size(): number {
    return this.parent.size
  }
  push(parent: number, template: number, llm: number, replicate: number): number {
    this.parent.push(parent)
    this.template.push(template)
    this.llm.push(llm)
    this.replicate.push(replicate)
    return this.parent.size - 1
  }
  /** Appends one entry per `template[i]`, `llm[i]`, `replicate[i]`, all of them children of `parent`. */
  pushRun(parent: number, template: Int32Array, llm: Int32Array, replicate: Int32Array): void {
    this.parent.pushAll(parent, template.length)
    this.template.pushAll(template)
    this.llm.pushAll(llm)
    this.replicate.pushAll(replicate)
  }
  done(): StageColumns {
    return {
      size: this.size,
      parent: this.parent.view(),
      template: this.template.view(),
      llm: this.llm.view(),
      replicate: this.replicate.view()
    }
  }
}

/**
 * The side table of replicates beyond 2^31 − 1 (rare): a column holds the code -(k + 1) for the
 * k-th of them, so the common path keeps its 32-bit columns untouched.
 */
export const makeBigReplicates = () => {
  const values: Array<bigint> = []
  const codes = new Map<bigint, number>()
  return {
    values,
    code: (n: bigint): number => {
      let code = codes.get(n)
      if (code === undefined) codes.set(n, code = -values.push(n))
      return code
    }
  }
}
