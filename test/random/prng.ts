/**
 * The tests' own deterministic choices (shapes, seeds, ranges): a seeded xorshift-style PRNG
 * (mulberry32), so every run explores the same cases and a failure reproduces.
 */
export class TestRng {
  #s: number

  constructor (seed: number) {
    this.#s = seed >>> 0
  }

  /** uniform uint32 */
  u32 (): number {
    this.#s = (this.#s + 0x6d2b79f5) >>> 0
    let t = this.#s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (t ^ (t >>> 14)) >>> 0
  }

  /** uniform in [0, 1) */
  float (): number {
    return this.u32() / 4294967296
  }

  /** integer in [lo, hi] */
  int (lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1))
  }

  pick<T> (items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!
  }

  /** uniform uint64 as a BigInt */
  u64 (): bigint {
    return (BigInt(this.u32()) << 32n) | BigInt(this.u32())
  }

  /** a random [start, end) inside [0, n) */
  range (n: number): [number, number] {
    const a = this.int(0, n)
    const b = this.int(0, n)
    return a <= b ? [a, b] : [b, a]
  }
}
