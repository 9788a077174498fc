/**
 * A small least-recently-used map, bounded by the total weight of its entries: by default each
 * entry weighs 1 (the half-precision lookup tables, 128 KiB each, and the orthogonal matrices,
 * which are worth keeping across ranges of the same plan but must not grow without bound in a
 * long-running server); with `weigh`, e.g. bytes (the cpu engine's whole-matrix results).
 */
export class LruCache<K, V> {
  readonly #max: number
  readonly #weigh: (value: V) => number
  readonly #map = new Map<K, V>()
  #weight = 0

  /** At most `max` entries, or, with `weigh`, entries weighing `max` together (0: keep nothing). */
  constructor (max: number, weigh?: (value: V) => number) {
    if (weigh === undefined && (!Number.isInteger(max) || max < 1)) throw new RangeError('maxEntries must be a positive integer')
    if (!Number.isSafeInteger(max) || max < 0) throw new RangeError('the weight bound must be a non-negative integer')
    this.#max = max
    this.#weigh = weigh ?? (() => 1)
  }

  get size (): number {
    return this.#map.size
  }

  /** The entries' total weight (their count without `weigh`). */
  get weight (): number {
    return this.#weight
  }

  /** Whether an entry of this weight can be kept at all. */
  fits (weight: number): boolean {
    return weight <= this.#max
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

  /** Keeps the entry (unless it alone weighs more than the bound), dropping the oldest past it. */
  set (key: K, value: V): void {
    const weight = this.#weigh(value)
    if (!this.fits(weight)) return
    const old = this.#map.get(key)
    if (old !== undefined) {
      this.#weight -= this.#weigh(old)
      this.#map.delete(key)
    }
    this.#map.set(key, value)
    this.#weight += weight
    for (const [oldest, entry] of this.#map) {
      if (this.#weight <= this.#max) break
      this.#map.delete(oldest)
      this.#weight -= this.#weigh(entry)
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
    this.#weight = 0
  }
}
