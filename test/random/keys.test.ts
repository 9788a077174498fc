import { describe, expect, it } from 'vitest'
import { keyFromSeed, sequenceKeys, splitKey } from '../../src/random/keys.ts'
import { threefry2x32 } from '../../src/random/threefry.ts'
import { loadGolden, parseHex } from '../support/golden.ts'

const hexKey = (k: readonly [string, string]): [number, number] => [parseHex(k[0]), parseHex(k[1])]

describe('Threefry-2x32 (spec b.3)', () => {
  it('matches the Random123 known-answer vectors for 20 rounds', () => {
    // Salmon et al., Random123 kat_vectors: threefry2x32_20
    const out = new Uint32Array(2)
    threefry2x32(0, 0, 0, 0, out)
    expect([...out]).toEqual([0x6b200159, 0x99ba4efe])
    threefry2x32(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, out)
    expect([...out]).toEqual([0x1cb996fc, 0xbb002be7])
    threefry2x32(0x13198a2e, 0x03707344, 0x243f6a88, 0x85a308d3, out)
    expect([...out]).toEqual([0xc4923a9c, 0x483df7a0])
  })
})

describe('keys (spec b.1, b.2) against real MLX 0.13', () => {
  const { keyCases } = loadGolden()
  it.each(keyCases.map((c) => [c.seed, c] as const))('seed %s: key, split(2), split(3)', (_seed, c) => {
    const key = keyFromSeed(BigInt(c.seed))
    expect(key).toEqual(hexKey(c.key))
    expect(splitKey(key)).toEqual(c.split2.map(hexKey))
    expect(splitKey(key, 3)).toEqual(c.split3.map(hexKey))
  })

  it('JAX split of key(0)', () => {
    expect(splitKey([0, 0])).toEqual([[4146024105, 967050713], [2718843009, 1272950319]])
  })

  it('keyFromSeed takes the full uint64 and wraps like the uint64 conversion', () => {
    expect(keyFromSeed(2n ** 64n - 1n)).toEqual([0xffffffff, 0xffffffff])
    expect(keyFromSeed(-1n)).toEqual([0xffffffff, 0xffffffff])
    expect(keyFromSeed(2n ** 63n)).toEqual([0x80000000, 0])
    expect(keyFromSeed(2n ** 64n)).toEqual([0, 0])
    expect(keyFromSeed(2n ** 53n - 1n)).toEqual([0x001fffff, 0xffffffff])
    expect(keyFromSeed(0x0123456789abcdefn)).toEqual([0x01234567, 0x89abcdef])
  })

  it('sequenceKeys follows K <- split(K)[0], use split(K)[1]', () => {
    let k = keyFromSeed(42n)
    const expected: Array<readonly [number, number]> = []
    for (let i = 0; i < 6; i++) {
      const [k0, k1] = splitKey(k)
      expected.push(k1!)
      k = k0!
    }
    expect(sequenceKeys(42n, 0, 6)).toEqual(expected)
    expect(sequenceKeys(42n, 2, 3)).toEqual(expected.slice(2, 5))
    expect(sequenceKeys(42n, 5, 0)).toEqual([])
  })

  it('rejects bad draw indices and split counts', () => {
    expect(() => sequenceKeys(0n, -1, 1)).toThrow(RangeError)
    expect(() => sequenceKeys(0n, 0.5, 1)).toThrow(RangeError)
    expect(() => splitKey([0, 0], -2)).toThrow(RangeError)
  })
})
