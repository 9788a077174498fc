import { freeNow } from '../core/free-now.ts'

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
  #closed = false

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
    if (!(buffer instanceof ArrayBuffer) || buffer.byteLength === 0) return
    if (this.#closed) freeNow(buffer)
    else this.#free.push(buffer)
  }

  /**
   * Consumer: the stream is over and nothing it was given is read any more (an HTTP body: its
   * response closed, so the socket has no write left in flight). Every buffer lent or released is
   * freed now rather than at the next full garbage collection, and later releases are freed too.
   *
   * Why: the memory of a transferred ArrayBuffer returns only when V8 collects the ArrayBuffer
   * object, and those chunks live long enough to be in the old generation; an idle process runs no
   * full GC, so after a burst of stalled clients their chunks kept RSS up for 20 s or more (issue
   * 12). Detaching a buffer frees its backing store at once.
   */
  close (): void {
    if (this.#closed) return
    this.#closed = true
    for (const buffer of this.#free) freeNow(buffer)
    this.#free.length = 0
    for (const buffer of this.#lent) if (buffer instanceof ArrayBuffer) freeNow(buffer)
    this.#lent.clear()
  }

  /**
   * Engine: a chunk it computed (or a buffer it took) that will never be yielded, because the
   * stream ended first: reused if the consumer is still there, else freed now.
   */
  discard (buffer: ArrayBufferLike): void {
    if (!(buffer instanceof ArrayBuffer) || buffer.byteLength === 0 || this.#lent.has(buffer)) return
    if (this.#closed) freeNow(buffer)
    else this.#free.push(buffer)
  }

  /** Engine: a released buffer of at least `bytes` bytes, or undefined (allocate a new one). */
  take (bytes: number): ArrayBuffer | undefined {
    if (this.#closed) return undefined
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
