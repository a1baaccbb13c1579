export const CHUNK_BYTES = 1 << 20
const EMPTY = Buffer.alloc(0)

/**
 * Bytes written in place into ~1 MiB buffers, handed out when full: no large strings are built.
 * Text is encoded once, straight into the buffer (`line`); bytes are copied (`copy`) or written by
 * the caller at `buffer[pos…]` after `ensure`. Each handed-out buffer is fresh, as writers may keep it.
 * Effect-free, so that worker threads use it too.
 */
export class ChunkBuffer {
  buffer: Buffer
  pos = 0
  /** Where the bytes not yet handed out start in `buffer` (after a `cut`). */
  private mark = 0
  private full: Array<Uint8Array> = []

  /**
   * `allocate`: where buffers come from (at least the bytes asked, ~1 MiB), taken only by `ensure`: then
   * a buffer handed out by `flush` is never written to again and no new one is taken before it is needed
   * (write only after `ensure`). Without it, fresh buffers, one ready at all times.
   */
  constructor(private readonly allocate?: (bytes: number) => Buffer) {
    this.buffer = allocate === undefined ? Buffer.allocUnsafe(CHUNK_BYTES) : EMPTY
  }

  /** Room for `bytes` more (a fresh buffer when the current one is too full). */
  ensure(bytes: number): void {
    if (this.pos + bytes <= this.buffer.length) return
    this.flush()
    if (this.allocate !== undefined) this.buffer = this.allocate(bytes)
    else if (bytes > this.buffer.length) this.buffer = Buffer.allocUnsafe(bytes)
  }

  copy(bytes: Uint8Array): void {
    this.buffer.set(bytes, this.pos)
    this.pos += bytes.length
  }

  line(text: string): void {
    this.ensure(text.length * 3)
    this.pos += this.buffer.write(text, this.pos, "utf8")
  }

  flush(): void {
    if (this.pos > this.mark) this.full.push(this.buffer.subarray(this.mark, this.pos))
    this.buffer = this.allocate === undefined ? Buffer.allocUnsafe(CHUNK_BYTES) : EMPTY
    this.pos = 0
    this.mark = 0
  }

  /**
   * Hands out the bytes written so far (as `flush`) but keeps writing after them in the same buffer:
   * many short pieces share ~1 MiB buffers instead of each taking one.
   */
  cut(): void {
    if (this.pos > this.mark) this.full.push(this.buffer.subarray(this.mark, this.pos))
    this.mark = this.pos
  }

  /** The buffers filled so far (the current one too after `flush`). */
  take(): Array<Uint8Array> {
    const out = this.full
    this.full = []
    return out
  }
}
