import { describe, expect, it } from 'vitest'
import { bits64 } from '../../src/random/bits.ts'
import { normalQuantile } from '../../src/random/float64.ts'
import { normalF64 } from '../../src/random/normal.ts'
import { uniformF64 } from '../../src/random/uniform.ts'

/** The service's own float64 recipes: 53-bit fractions of width-8 draws (not MLX). */
describe('float64 samplers', () => {
  const key = [0x12345678, 0x9abcdef0] as const
  const n = 1 << 18

  it('uniform: u = top 53 bits of the element\'s 64-bit draw / 2^53, out = low + (high - low) u', () => {
    const out = new Float64Array(n)
    uniformF64({ key, n, start: 0, end: n }, -2, 6, out)
    const words = new Uint32Array(2 * 10)
    bits64(key, n, 100, 110, words)
    for (let i = 0; i < 10; i++) {
      const u = (words[2 * i + 1]! * 2 ** 21 + (words[2 * i]! >>> 11)) / 2 ** 53
      expect(out[100 + i]).toBe(-2 + 8 * u)
    }
    let mean = 0
    let min = Infinity
    let max = -Infinity
    for (const x of out) {
      mean += x / n
      min = Math.min(min, x)
      max = Math.max(max, x)
    }
    expect(min).toBeGreaterThanOrEqual(-2)
    expect(max).toBeLessThan(6)
    expect(Math.abs(mean - 2)).toBeLessThan(0.03)
  })

  it('normal: AS 241 quantile of (k + 0.5) / 2^53, then loc + scale z; moments of N(loc, scale^2)', () => {
    const out = new Float64Array(n)
    normalF64({ key, n, start: 0, end: n }, 1.5, 0.25, out)
    const words = new Uint32Array(2)
    bits64(key, n, 777, 778, words)
    const k = words[1]! * 2 ** 21 + (words[0]! >>> 11)
    expect(out[777]).toBe(1.5 + 0.25 * normalQuantile((k + 0.5) / 2 ** 53))
    let m1 = 0
    let m2 = 0
    for (const x of out) {
      m1 += x / n
      m2 += (x - 1.5) ** 2 / n
    }
    expect(Math.abs(m1 - 1.5)).toBeLessThan(0.005)
    expect(Math.abs(Math.sqrt(m2) - 0.25)).toBeLessThan(0.005)
  })

  it('a range equals the slice of the whole', () => {
    const whole = new Float64Array(1001)
    normalF64({ key, n: 1001, start: 0, end: 1001 }, undefined, undefined, whole)
    const part = new Float64Array(300)
    normalF64({ key, n: 1001, start: 500, end: 800 }, undefined, undefined, part)
    expect(part).toEqual(whole.subarray(500, 800))
  })
})
