import { describe, expect, it } from 'vitest'
import { nextAbove, nextBelow, roundTo, roundWithin } from '../../../src/engines/reference/round-dtype.ts'
import { bf16FromF32, bf16ToF32, f16FromF32, f16ToF32 } from '../../../src/random/half-conversion.ts'

const f32 = new Float32Array(1)
const u32 = new Uint32Array(f32.buffer)

/** A deterministic spread of float32 bit patterns covering every exponent (stride coprime to 2^32). */
function * float32Samples (count: number): Generator<number> {
  let bits = 0x12345
  for (let i = 0; i < count; i++) {
    bits = (bits + 2654435761) >>> 0
    u32[0] = bits
    const x = f32[0]!
    if (!Number.isNaN(x)) yield x
  }
}

describe('roundTo', () => {
  it('agrees with the exact float32 -> half conversions on float32 inputs (one rounding either way)', () => {
    const mismatches: number[] = []
    for (const x of float32Samples(300_000)) {
      if (!Object.is(roundTo('float16', x), f16ToF32(f16FromF32(x))) || !Object.is(roundTo('bfloat16', x), bf16ToF32(bf16FromF32(x)))) {
        mismatches.push(x)
      }
    }
    expect(mismatches).toEqual([])
  })

  it('rounds a double once: no double rounding through float32 at a half midpoint', () => {
    // 1 + 2^-11 is the float16 midpoint between 1 and 1 + 2^-10. Just above it the nearest float16
    // is 1 + 2^-10; fround first would land exactly on the midpoint and tie to the even 1.
    const x = 1 + 2 ** -11 + 2 ** -40
    expect(Math.fround(x)).toBe(1 + 2 ** -11)
    expect(f16ToF32(f16FromF32(x))).toBe(1)
    expect(roundTo('float16', x)).toBe(1 + 2 ** -10)
    expect(roundTo('float16', 1 + 2 ** -11 - 2 ** -40)).toBe(1)
    expect(roundTo('bfloat16', 1 + 2 ** -8 + 2 ** -40)).toBe(1 + 2 ** -7)
    expect(roundTo('float32', 1 + 2 ** -24 + 2 ** -50)).toBe(1 + 2 ** -23)
  })

  it('ties to even, keeps signs and zeros, handles subnormals and overflow', () => {
    expect(roundTo('float16', 1 + 2 ** -11)).toBe(1)
    expect(roundTo('float16', 1 + 3 * 2 ** -11)).toBe(1 + 2 ** -9)
    expect(roundTo('float16', -(1 + 2 ** -11 + 2 ** -40))).toBe(-(1 + 2 ** -10))
    expect(Object.is(roundTo('float16', -0), -0)).toBe(true)
    expect(Object.is(roundTo('bfloat16', -1e-50), -0)).toBe(true)
    expect(roundTo('float16', 2 ** -24)).toBe(2 ** -24)
    expect(roundTo('float16', 2 ** -25)).toBe(0) // tie between 0 and the smallest subnormal: even is 0
    expect(roundTo('float16', 2 ** -25 + 2 ** -60)).toBe(2 ** -24)
    expect(roundTo('float16', 65519.99)).toBe(65504)
    expect(roundTo('float16', 65520)).toBe(Infinity)
    expect(roundTo('float16', -65520)).toBe(-Infinity)
    expect(roundTo('bfloat16', 3.39e38)).toBe(bf16ToF32(0x7f7f))
    expect(roundTo('bfloat16', 3.4e38)).toBe(Infinity) // above the midpoint to 2^128
    expect(roundTo('float64', 0.1)).toBe(0.1)
  })
})

describe('nextAbove / nextBelow', () => {
  it('step through every finite float16 and bfloat16 value in order', () => {
    const wrong: number[] = []
    for (let h = 0; h < 0x7bff; h++) {
      const v = f16ToF32(h)
      const w = f16ToF32(h + 1)
      if (nextAbove('float16', v) !== w || nextBelow('float16', w) !== v || nextBelow('float16', -v) !== -w) wrong.push(h)
    }
    for (let h = 0; h < 0x7f7f; h++) {
      const v = bf16ToF32(h)
      const w = bf16ToF32(h + 1)
      if (nextAbove('bfloat16', v) !== w || nextBelow('bfloat16', w) !== v || nextBelow('bfloat16', -v) !== -w) wrong.push(0x10000 + h)
    }
    expect(wrong).toEqual([])
  })

  it('match the float32 and float64 bit neighbours', () => {
    const wrong: number[] = []
    for (const x of float32Samples(20_000)) {
      if (!Number.isFinite(x) || Math.abs(x) >= 3.4e38) continue
      f32[0] = x
      const bits = u32[0]!
      u32[0] = x > 0 || Object.is(x, 0) ? bits + 1 : bits - 1
      if (nextAbove('float32', x) !== (x === 0 ? 2 ** -149 : f32[0]!)) wrong.push(x)
    }
    expect(wrong).toEqual([])
    expect(nextAbove('float64', 1)).toBe(1 + 2 ** -52)
    expect(nextBelow('float64', 1)).toBe(1 - 2 ** -53)
    expect(nextBelow('float64', 0)).toBe(-(2 ** -1074))
  })
})

describe('roundWithin', () => {
  it('steps back inside a bound that rounding crossed', () => {
    const high = 1 + 2 ** -12 // between the float16 values 1 and 1 + 2^-10
    expect(roundTo('float16', high)).toBe(1)
    expect(roundWithin('float16', 1 + 2 ** -12, 0, high)).toBe(1)
    const low = -(1 + 2 ** -12)
    expect(roundWithin('float16', 1 + 2 ** -10 - 2 ** -20, 0, 1 + 2 ** -10 - 2 ** -30)).toBe(1)
    expect(roundWithin('float16', low, low, 0)).toBe(-1)
  })

  it('leaves a value alone when no representable value lies inside', () => {
    // [1 + 2^-12, 1 + 2^-11] holds no float16: the nearest value is kept.
    expect(roundWithin('float16', 1 + 2 ** -11.5, 1 + 2 ** -12, 1 + 2 ** -11)).toBe(1)
  })
})
