const CHUNK_BYTES = 1 << 20

/**
 * Collects lines into ~1 MiB buffers (encoding each line once, straight into the buffer) and hands
 * out full ones: no large strings are built. Each handed-out buffer is fresh, as writers may keep it.
 */
export class ChunkBuffer {
  private buffer = Buffer.allocUnsafe(CHUNK_BYTES)
  private pos = 0
  readonly full: Array<Uint8Array> = []
  line(text: string): void {
    if (this.pos + text.length * 3 > this.buffer.length) {
      this.flush()
      if (text.length * 3 > this.buffer.length) this.buffer = Buffer.allocUnsafe(text.length * 3)
    }
    this.pos += this.buffer.write(text, this.pos, "utf8")
  }
  flush(): void {
    if (this.pos === 0) return
    this.full.push(this.buffer.subarray(0, this.pos))
    this.buffer = Buffer.allocUnsafe(CHUNK_BYTES)
    this.pos = 0
  }
  take(): Array<Uint8Array> {
    return this.full.splice(0, this.full.length)
  }
}

