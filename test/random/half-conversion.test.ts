import { describe, expect, it } from 'vitest'
import { bf16FromF32, bf16ToF32, f16FromF32, f16ToF32, f32Bits, f32FromBits, roundBf16, roundF16 } from '../../src/random/half-conversion.ts'
import { TestRng } from './prng.ts'

/** Independent float32 -> float16 round-to-nearest-even on exact doubles (spec b.0: any RNE gives MLX's bits except NaN). */
function refF16 (x: number): number {
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0
  const a = Math.abs(x)
  if (a >= 65520) return sign | 0x7c00 // 65504 + half an ulp (16) rounds to inf
  // quantum: 2^-24 for subnormals, else 2^(e - 10)
  const e = Math.max(Math.floor(Math.log2(a)), -14)
  const q = 2 ** (e - 10)
  let m = a / q // exact: a is a float32, q a power of two
  const fl = Math.floor(m)
  const frac = m - fl
  m = frac > 0.5 || (frac === 0.5 && fl % 2 === 1) ? fl + 1 : fl
  const v = m * q
  // re-encode v
  if (v === 0) return sign
  if (v < 2 ** -14) return sign | (v / 2 ** -24)
  const ev = Math.floor(Math.log2(v))
  return sign | ((ev + 15) << 10) | (v / 2 ** ev * 1024 - 1024)
}

describe('float16 (spec b.0)', () => {
  it('round-trips every float16 bit pattern exactly (NaN -> sign | 0x7D00)', () => {
    const bad: number[] = []
    for (let h = 0; h < 65536; h++) {
      const f = f16ToF32(h)
      const want = Number.isNaN(f) ? (h & 0x8000) | 0x7d00 : h
      if (f16FromF32(f) !== want) bad.push(h)
    }
    expect(bad).toEqual([])
  })

  it('rounds midpoints to even and matches an independent RNE everywhere else', () => {
    const rng = new TestRng(16)
    const bad: number[] = []
    for (let h = 0; h < 0x7c00; h++) {
      // the exact midpoint between h and h+1, and its float32 neighbours
      const lo = f16ToF32(h)
      const hi = h + 1 === 0x7c00 ? 65536 : f16ToF32(h + 1)
      const mid = Math.fround((lo + hi) / 2)
      for (const x of [mid, f32FromBits(f32Bits(mid) - 1), f32FromBits(f32Bits(mid) + 1)]) {
        if (f16FromF32(x) !== refF16(x) || f16FromF32(-x) !== refF16(-x)) bad.push(x)
      }
    }
    for (let i = 0; i < 200000; i++) {
      const x = f32FromBits(rng.u32() & 0x7fffffff)
      if (!Number.isNaN(x) && f16FromF32(x) !== refF16(x)) bad.push(x)
    }
    expect(bad).toEqual([])
  })

  it('specials: overflow threshold, infinities, NaN quirk, subnormals', () => {
    expect(f16FromF32(65504)).toBe(0x7bff)
    expect(f16FromF32(65519.99609375)).toBe(0x7bff)
    expect(f16FromF32(65520)).toBe(0x7c00)
    expect(f16FromF32(Infinity)).toBe(0x7c00)
    expect(f16FromF32(-Infinity)).toBe(0xfc00)
    expect(f16FromF32(NaN)).toBe(0x7d00)
    expect(f16FromF32(f32FromBits(0xffc00000))).toBe(0xfd00)
    expect(f16FromF32(2 ** -24)).toBe(1)
    expect(f16FromF32(2 ** -25)).toBe(0) // tie to even
    expect(f16FromF32(Math.fround(2 ** -25 * 1.0000001))).toBe(1)
    expect(f16FromF32(-0)).toBe(0x8000)
    expect(roundF16(Math.SQRT2)).toBe(1.4140625)
  })
})

describe('bfloat16 (spec b.0)', () => {
  it('round-trips every bfloat16 pattern; NaN -> 0x7FC0', () => {
    const bad: number[] = []
    for (let h = 0; h < 65536; h++) {
      const f = bf16ToF32(h)
      if (bf16FromF32(f) !== (Number.isNaN(f) ? 0x7fc0 : h)) bad.push(h)
    }
    expect(bad).toEqual([])
  })

  it('rounds to nearest even on the top 16 bits', () => {
    expect(bf16FromF32(f32FromBits(0x3f808000))).toBe(0x3f80) // tie, even stays
    expect(bf16FromF32(f32FromBits(0x3f818000))).toBe(0x3f82) // tie, odd rounds up
    expect(bf16FromF32(f32FromBits(0x3f808001))).toBe(0x3f81)
    expect(bf16FromF32(f32FromBits(0x7f7fffff))).toBe(0x7f80) // rounds up to inf
    const rng = new TestRng(17)
    const bad: number[] = []
    for (let i = 0; i < 100000; i++) {
      const bits = rng.u32()
      const x = f32FromBits(bits)
      if (Number.isNaN(x)) continue
      const lo = bits >>> 16
      const rest = bits & 0xffff
      const want = (rest > 0x8000 || (rest === 0x8000 && (lo & 1) === 1)) ? lo + 1 : lo
      if (bf16FromF32(x) !== (want & 0xffff)) bad.push(bits)
    }
    expect(bad).toEqual([])
    expect(roundBf16(Math.SQRT2)).toBe(1.4140625)
  })
})
