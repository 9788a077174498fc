import { describe, expect, it } from 'vitest'
import type { Key } from '../../src/core/plan.ts'
import { bits16, bits32, bits64, fillWords, wordCount } from '../../src/random/bits.ts'
import { threefry2x32 } from '../../src/random/threefry.ts'
import { expectSameBits } from './compare.ts'
import { TestRng } from './prng.ts'

/** Spec b.4 written the naive way: the whole W-word output of one key. */
function wholeWords (key: Key, w: number): Uint32Array {
  const out = new Uint32Array(w)
  const half = Math.floor(w / 2)
  const odd = w % 2
  const pair = new Uint32Array(2)
  for (let i = 0; i < half; i++) {
    threefry2x32(key[0], key[1], i, i + half + odd, pair)
    out[i] = pair[0]!
    out[i + half + odd] = pair[1]!
  }
  if (odd === 1) {
    threefry2x32(key[0], key[1], half, 0, pair)
    out[half] = pair[0]!
  }
  return out
}

describe('bits layout for any range (spec b.4)', () => {
  const rng = new TestRng(0xb175)

  it('every word range equals the same slice of the whole draw', () => {
    for (let trial = 0; trial < 400; trial++) {
      const key: Key = [rng.u32(), rng.u32()]
      const w = rng.pick([1, 2, 3, 4, 5, 7, 8, 64, 65, 1000, 4097, rng.int(1, 50000)])
      const whole = wholeWords(key, w)
      const [s, e] = rng.range(w)
      const got = new Uint32Array(e - s + 3)
      fillWords(key, w, s, e, got, 3)
      expectSameBits(got.subarray(3), whole.subarray(s, e))
    }
  })

  it('32-bit draws: element i is word i, and [7] shares only its first 3 words with [8]', () => {
    const key: Key = [0xa20e4081, 0x4bdfae2f]
    const a = new Uint32Array(7)
    const b = new Uint32Array(8)
    bits32(key, 7, 0, 7, a)
    bits32(key, 8, 0, 8, b)
    expect(a.subarray(0, 3)).toEqual(b.subarray(0, 3))
    expect(a[3]).not.toBe(b[3])
  })

  it('16-bit draws: element 2j is the low half of word j, 2j+1 the high half, any range', () => {
    for (let trial = 0; trial < 300; trial++) {
      const key: Key = [rng.u32(), rng.u32()]
      const n = rng.pick([1, 2, 3, 7, 8, 9, 1001, rng.int(1, 40000)])
      const words = wholeWords(key, wordCount(n, 2))
      const [s, e] = rng.range(n)
      const got = new Uint16Array(e - s)
      bits16(key, n, s, e, got)
      const expected = Uint16Array.from({ length: e - s }, (_, i) => {
        const el = s + i
        const word = words[el >> 1]!
        return (el & 1) === 0 ? word & 0xffff : word >>> 16
      })
      expectSameBits(got, expected)
    }
  })

  it('64-bit draws use the width-8 layout: element e is words (2e, 2e+1) of 2n words', () => {
    const key: Key = [1, 2]
    const n = 9
    const words = wholeWords(key, 2 * n)
    const got = new Uint32Array(2 * 4)
    bits64(key, n, 3, 7, got)
    expect(got).toEqual(words.subarray(6, 14))
  })

  it('rejects ranges outside the draw', () => {
    expect(() => fillWords([0, 0], 4, 2, 5, new Uint32Array(8))).toThrow(RangeError)
    expect(() => fillWords([0, 0], 4, 3, 2, new Uint32Array(8))).toThrow(RangeError)
    expect(() => fillWords([0, 0], 4, 0, 4, new Uint32Array(2))).toThrow(RangeError)
  })
})
