/**
 * A small least-recently-used map, bounded by entry count: used for the half-precision lookup
 * tables (128 KiB each) and the orthogonal matrices, which are worth keeping across ranges of the
 * same plan but must not grow without bound in a long-running server.
 */
export class LruCache<K, V> {
  readonly #max: number
  readonly #map = new Map<K, V>()

  constructor (maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer')
    this.#max = maxEntries
  }

  get size (): number {
    return this.#map.size
  }

  get (key: K): V | undefined {
    const value = this.#map.get(key)
    if (value !== undefined) {
      // Map iteration order is insertion order: re-inserting marks the entry most recent.
      this.#map.delete(key)
      this.#map.set(key, value)
    }
    return value
  }

  set (key: K, value: V): void {
    this.#map.delete(key)
    this.#map.set(key, value)
    while (this.#map.size > this.#max) {
      const oldest = this.#map.keys().next()
      if (oldest.done === true) break
      this.#map.delete(oldest.value)
    }
  }

  getOrCreate (key: K, create: () => V): V {
    let value = this.get(key)
    if (value === undefined) {
      value = create()
      this.set(key, value)
    }
    return value
  }

  clear (): void {
    this.#map.clear()
  }
}
