/**
 * Chunk memory a stream's consumer hands back to the engine that produced it, so the engine can
 * compute later chunks of the same stream into it instead of into fresh buffers.
 *
 * Why: a fresh 2 MiB buffer per chunk costs page faults while the kernel writes it and a full
 * garbage collection every few dozen chunks to unmap it (V8 frees transferred buffers only when
 * its external-memory trigger fires); reusing a handful of buffers keeps both away (measured in
 * docs/performance.md).
 *
 * The contract is explicit rather than implied by the order of pulls: the engine `lend`s each
 * chunk it yields; the consumer `release`s a chunk only when nothing reads it any more (an HTTP
 * body: when the socket's write of it completed, see src/http/body-stream.ts); only then may the
 * engine `take` its memory. A consumer that never releases gets fresh buffers, as without one.
 * One recycler serves one stream (or one response's consecutive streams), never two at once.
 */
export class ChunkRecycler {
  /** Buffers of yielded chunks the consumer has not released. */
  readonly #lent = new Set<ArrayBufferLike>()
  /** Released buffers, ready for the engine. */
  readonly #free: ArrayBuffer[] = []
  #reused = 0

  /** Engine: `chunk`'s whole buffer now belongs to the consumer until it is released. */
  lend (chunk: Uint8Array): void {
    this.#lent.add(chunk.buffer)
  }

  /**
   * Consumer: neither `chunk` nor any other view of its buffer will be read again. Chunks the
   * engine did not lend (headers, trailers, another stream's) are ignored.
   */
  release (chunk: Uint8Array): void {
    const buffer = chunk.buffer
    if (!this.#lent.delete(buffer)) return
    // A buffer that was already transferred away has length 0: nothing to reuse.
    if (buffer instanceof ArrayBuffer && buffer.byteLength > 0) this.#free.push(buffer)
  }

  /** Engine: a released buffer of at least `bytes` bytes, or undefined (allocate a new one). */
  take (bytes: number): ArrayBuffer | undefined {
    for (;;) {
      const buffer = this.#free.pop()
      if (buffer === undefined) return undefined
      // Smaller ones (a short first or last chunk) are left to the garbage collector.
      if (buffer.byteLength >= bytes) {
        this.#reused++
        return buffer
      }
    }
  }

  /** Buffers handed out again so far (for tests and the bench). */
  get reused (): number {
    return this.#reused
  }

  /** Released buffers waiting to be taken. */
  get free (): number {
    return this.#free.length
  }
}
