/**
 * The bytes of one sub-range as they arrive, possibly from several hosts in turn (a resumed
 * transfer appends to what the failed host already delivered), handed to the consumer in order.
 * Holds at most the sub-range's own length, which bounds the gateway's memory per part.
 */
export class PartBuffer {
  /** Byte offsets in the raw representation: first..last inclusive, as in a Range header. */
  readonly first: number
  readonly last: number
  /** Bytes delivered so far (the next fetch resumes at first + received). */
  received = 0
  private pending: Uint8Array[] = []
  private pendingBytes = 0
  private done = false
  private error: unknown
  private failed = false
  private wake: (() => void) | undefined

  constructor (first: number, last: number) {
    this.first = first
    this.last = last
  }

  get length (): number {
    return this.last - this.first + 1
  }

  push (chunk: Uint8Array): void {
    this.pending.push(chunk)
    this.pendingBytes += chunk.length
    this.received += chunk.length
    this.signal()
  }

  finish (): void {
    this.done = true
    this.signal()
  }

  fail (error: unknown): void {
    this.failed = true
    this.error = error
    this.signal()
  }

  private signal (): void {
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }

  /**
   * Yields the part's bytes in order, gathered into pieces of at least `minBytes` (or whatever is
   * left), so the consumer sees a few large chunks rather than every socket read. Throws the
   * part's error once the bytes before it are out.
   */
  async * drain (minBytes: number): AsyncGenerator<Uint8Array> {
    for (;;) {
      const complete = this.done || this.failed
      if (this.pendingBytes > 0 && (complete || this.pendingBytes >= minBytes)) {
        const chunks = this.pending
        const bytes = this.pendingBytes
        this.pending = []
        this.pendingBytes = 0
        yield chunks.length === 1 ? chunks[0] as Uint8Array : concat(chunks, bytes)
        continue
      }
      if (this.failed) throw this.error
      if (this.done) return
      await new Promise<void>((resolve) => { this.wake = resolve })
    }
  }
}

function concat (chunks: readonly Uint8Array[], bytes: number): Uint8Array {
  const out = new Uint8Array(bytes)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  return out
}
