import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bfloat16ToNumber, float16ToNumber, roundToBfloat16, roundToFloat16, roundToFloat32 } from '../../src/formats/half-decode.ts'
import { fromBase64, python, toBase64 } from './python.ts'

const ALL16 = Array.from({ length: 65536 }, (_, bits) => bits)

function float64s (bytes: Uint8Array): Float64Array {
  return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length))
}

const sameValue = (a: number, b: number): boolean => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))

describe('16-bit decoding', () => {
  it('decodes every float16 bit pattern as numpy does', () => {
    const reference = float64s(fromBase64(python<string>(`
import numpy as np
print(json.dumps(base64.b64encode(np.arange(65536, dtype=np.uint32).astype('<u2').view('<f2').astype('<f8').tobytes()).decode()))
`)))
    const mismatches = ALL16.filter((bits) => !sameValue(float16ToNumber(bits), reference[bits] as number))
    expect(mismatches).toEqual([])
  })

  it('decodes every bfloat16 bit pattern as the top half of a float32', () => {
    const reference = float64s(fromBase64(python<string>(`
import numpy as np
print(json.dumps(base64.b64encode((np.arange(65536, dtype=np.uint32) << 16).astype('<u4').view('<f4').astype('<f8').tobytes()).decode()))
`)))
    const mismatches = ALL16.filter((bits) => !sameValue(bfloat16ToNumber(bits), reference[bits] as number))
    expect(mismatches).toEqual([])
  })
})

/** Doubles that stress rounding: every half value, the midpoints between neighbours, and just off them. */
function float16Probes (): number[] {
  const probes: number[] = []
  for (let bits = 0; bits < 0x7c00; bits++) {
    const v = float16ToNumber(bits)
    const next = float16ToNumber(bits + 1) // 0x7c00 is +Infinity: the midpoint above 65504 is 65520
    const mid = bits + 1 === 0x7c00 ? 65520 : (v + next) / 2
    for (const x of [v, mid, mid * (1 + 2 ** -40), mid * (1 - 2 ** -40)]) probes.push(x, -x)
  }
  probes.push(1e-30, 2 ** -25, 2 ** -25 * (1 + 2 ** -30), 65519.99, 1e10, 5e-324, Number.MAX_VALUE)
  return probes
}

describe('rounding to a narrower float', () => {
  it('rounds doubles to float16 exactly like numpy (round half to even, overflow to inf)', () => {
    const probes = float16Probes()
    const reference = float64s(fromBase64(python<string>(`
import numpy as np
x = np.frombuffer(base64.b64decode(input_), dtype='<f8')
print(json.dumps(base64.b64encode(x.astype('<f2').astype('<f8').tobytes()).decode()))
`, toBase64(new Uint8Array(new Float64Array(probes).buffer)))))
    const mismatches = probes.filter((x, i) => !sameValue(roundToFloat16(x), reference[i] as number))
    expect(mismatches).toEqual([])
  })

  it('rounds like Math.fround when the format is float32 (property, incl. midpoints and subnormals)', () => {
    const f32 = new Float32Array(1)
    const u32 = new Uint32Array(f32.buffer)
    const fromBits = (bits: number): number => { u32[0] = bits; return f32[0] as number }
    const around = fc.tuple(fc.integer({ min: 0, max: 0x7f7ffffe }), fc.constantFrom(0, 1, -1), fc.boolean()).map(([bits, nudge, negative]) => {
      const lower = fromBits(bits)
      const mid = (lower + fromBits(bits + 1)) / 2
      const x = nudge === 0 ? mid : mid + nudge * Math.abs(mid) * 2 ** -45
      return negative ? -x : x
    })
    fc.assert(fc.property(fc.oneof(around, fc.double({ noNaN: true })), (x) => {
      expect(Object.is(roundToFloat32(x), Math.fround(x))).toBe(true)
    }), { numRuns: 20_000 })
  })

  it('rounds float32 values to bfloat16 like the round-to-nearest-even bit trick', () => {
    // frameworks-and-formats §4.3: u = bits(f32); (u + 0x7FFF + ((u >> 16) & 1)) >> 16 for non-NaN u.
    const f32 = new Float32Array(1)
    const u32 = new Uint32Array(f32.buffer)
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (bits) => {
      u32[0] = bits
      const x = f32[0] as number
      fc.pre(!Number.isNaN(x))
      const expected = bfloat16ToNumber(((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff)
      expect(Object.is(roundToBfloat16(x), expected)).toBe(true)
    }), { numRuns: 50_000 })
  })

  it('rounds a double just above a bfloat16 midpoint up, where going through float32 would tie to even', () => {
    const mid = (1 + 1 + 2 ** -7) / 2 // between 1 and the next bfloat16, 1 + 2^-7
    const above = mid + 2 ** -40 // rounds to mid in float32, which then ties to even (1)
    expect(roundToBfloat16(above)).toBe(1 + 2 ** -7)
    expect(roundToBfloat16(Math.fround(above))).toBe(1)
    expect(roundToBfloat16(mid)).toBe(1)
  })
})
