/**
 * The cpu engine's cache of whole-matrix results (issue 12): the element bytes of whole tensors
 * whose kernel needs a QR of the whole matrix, keyed by plan digest (core/plan-digest.ts: equal
 * digests mean equal bytes), least recently used first out, bounded by the bytes held. A Range of
 * a tensor computed moments ago, or a client's retry, is then a slice of memory rather than
 * seconds of QR. The bytes are shared by every reader and must never be written to or lent to a
 * chunk recycler.
 */
export class WholeCache {
  readonly #maxBytes: number
  readonly #map = new Map<string, Uint8Array>()
  #bytes = 0

  constructor (maxBytes: number) {
    this.#maxBytes = maxBytes
  }

  get bytes (): number {
    return this.#bytes
  }

  get size (): number {
    return this.#map.size
  }

  /** Whether a result of this many bytes can be kept at all. */
  fits (bytes: number): boolean {
    return bytes <= this.#maxBytes
  }

  get (key: string): Uint8Array | undefined {
    const value = this.#map.get(key)
    if (value !== undefined) {
      // Map iteration order is insertion order: re-inserting marks the entry most recent.
      this.#map.delete(key)
      this.#map.set(key, value)
    }
    return value
  }

  set (key: string, value: Uint8Array): void {
    if (!this.fits(value.byteLength)) return
    const old = this.#map.get(key)
    if (old !== undefined) {
      this.#bytes -= old.byteLength
      this.#map.delete(key)
    }
    this.#map.set(key, value)
    this.#bytes += value.byteLength
    for (const [oldest, bytes] of this.#map) {
      if (this.#bytes <= this.#maxBytes) break
      this.#map.delete(oldest)
      this.#bytes -= bytes.byteLength
    }
  }

  clear (): void {
    this.#map.clear()
    this.#bytes = 0
  }
}
