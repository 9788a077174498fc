import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bfloat16ToNumber, float16ToNumber, roundToBfloat16, roundToFloat16 } from '../../src/formats/half-decode.ts'
import { shortestBfloat16, shortestFloat16, shortestFloat32, shortestFloat64 } from '../../src/formats/shortest.ts'
import { python } from './python.ts'

const JSON_NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/

/** Significant digits and decimal exponent of a JSON number: "-1.25e-7" -> ["125", -9]. */
function decompose (text: string): [string, number] {
  const match = /^-?([0-9]*)(?:\.([0-9]*))?(?:e([+-]?[0-9]+))?$/.exec(text)
  if (match === null) throw new Error(`not a number: ${text}`)
  const [, int = '', frac = '', exp = '0'] = match
  let digits = int + frac
  let exponent = Number(exp) - frac.length
  const lead = /^0*/.exec(digits)?.[0].length ?? 0
  digits = digits.slice(lead)
  const trail = /0*$/.exec(digits)?.[0].length ?? 0
  digits = digits.slice(0, digits.length - trail)
  exponent += trail
  return [digits === '' ? '0' : digits, exponent]
}

const significantDigits = (text: string): number => decompose(text)[0].length

/**
 * True if some decimal with fewer significant digits than `text` also reads back: the candidates
 * are the q-digit decimals next to the value (n-1, n, n+1 around the nearest), which bracket every
 * q-digit decimal that could lie in the value's rounding interval.
 */
function shorterExists (value: number, text: string, readsBack: (parsed: number) => boolean): boolean {
  const q = significantDigits(text) - 1
  if (q < 1) return false
  const [mantissa = '', exp = '0'] = Math.abs(value).toExponential(q - 1).split('e')
  const n = Number(mantissa.replace('.', ''))
  const scale = Number(exp) - (q - 1)
  const sign = value < 0 ? '-' : ''
  return [n - 1, n, n + 1].some((m) => m > 0 && readsBack(Number(`${sign}${m}e${scale}`)))
}

const f32 = new Float32Array(1)
const u32 = new Uint32Array(f32.buffer)
function float32FromBits (bits: number): number {
  u32[0] = bits
  return f32[0] as number
}

/** Random float32 bit patterns, weighted toward subnormals, binade edges and the largest values. */
const float32Bits = fc.oneof(
  fc.integer({ min: 0, max: 0xffffffff }),
  fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 0x7fffff })).map(([s, f]) => (s ? 0x80000000 : 0) + f), // subnormals
  fc.tuple(fc.integer({ min: 0, max: 254 }), fc.constantFrom(0, 1, 0x7fffff)).map(([e, f]) => (e << 23) + f)
).map(float32FromBits).filter(Number.isFinite)

describe('shortestFloat32', () => {
  const readsBack = (v: number) => (parsed: number) => Math.fround(parsed) === v

  it('reads back as the same float32, is valid JSON and has no shorter form (property)', () => {
    fc.assert(fc.property(float32Bits, (v) => {
      const text = shortestFloat32(v)
      expect(text).toMatch(JSON_NUMBER)
      expect(Object.is(Math.fround(JSON.parse(text) as number), v)).toBe(true)
      expect(significantDigits(text)).toBeLessThanOrEqual(9)
      expect(shorterExists(v, text, readsBack(v))).toBe(false)
    }), { numRuns: 20_000 })
  })

  it('has as many digits as numpy\'s shortest repr (Dragon4, unique=True)', () => {
    const values = fc.sample(float32Bits, { numRuns: 5000, seed: 7 })
    values.push(0, -0, 1.401298464324817e-45, 1.1754942106924411e-38, 1.1754943508222875e-38, 3.4028234663852886e38,
      Math.fround(0.1), Math.fround(1 / 3), 16777216, 16777218, Math.fround(1e20), Math.fround(1.0000001e20), Math.fround(1e-6))
    const numpy = python<string[]>(`
import numpy as np
print(json.dumps([np.format_float_scientific(np.float32(v), unique=True) for v in input_]))
`, values)
    // On an exact tie between two shortest decimals the choice may differ (2097152.25: ours .3, numpy .2).
    const differ = values.filter((v, i) => significantDigits(shortestFloat32(v)) !== significantDigits(numpy[i] as string))
    expect(differ).toEqual([])
  })

  it('prints familiar values compactly', () => {
    expect(shortestFloat32(Math.fround(0.1))).toBe('0.1')
    expect(shortestFloat32(Math.fround(-1.5))).toBe('-1.5')
    expect(shortestFloat32(1)).toBe('1')
    expect(shortestFloat32(-0)).toBe('-0.0')
    expect(shortestFloat32(0)).toBe('0')
    expect(shortestFloat32(3.4028234663852886e38)).toBe('3.4028235e+38')
    expect(shortestFloat32(1.401298464324817e-45)).toBe('1e-45')
    expect(shortestFloat32(Math.fround(100000))).toBe('100000')
  })
})

/** Every finite value of a 16-bit format, with its bits. */
function finite16 (decode: (bits: number) => number): Array<[number, number]> {
  const out: Array<[number, number]> = []
  for (let bits = 0; bits < 65536; bits++) {
    const v = decode(bits)
    if (Number.isFinite(v)) out.push([bits, v])
  }
  return out
}

describe('shortestFloat16 (exhaustive)', () => {
  const values = finite16(float16ToNumber)
  const readsBack = (v: number) => (parsed: number) => roundToFloat16(parsed) === v && roundToFloat16(Math.fround(parsed)) === v

  it('reads back through double and through float32, is valid JSON, and has no shorter form', () => {
    const bad = values.filter(([, v]) => {
      const text = shortestFloat16(v)
      const parsed = JSON.parse(text) as number
      return !JSON_NUMBER.test(text) || !Object.is(roundToFloat16(parsed), v) || !Object.is(roundToFloat16(Math.fround(parsed)), v) ||
        significantDigits(text) > 5 || shorterExists(v, text, readsBack(v))
    })
    expect(bad.map(([bits]) => bits)).toEqual([])
  })

  it('agrees with numpy.float16 reading the text back, and with its shortest repr', () => {
    const texts = values.map(([, v]) => shortestFloat16(v))
    const { readBack, shortest } = python<{ readBack: number[], shortest: string[] }>(`
import numpy as np
texts = input_
read = np.array([float(t) for t in texts], dtype=np.float64).astype(np.float16)
print(json.dumps({'readBack': read.view(np.uint16).tolist(),
                  'shortest': [np.format_float_scientific(v, unique=True) for v in read]}))
`, texts)
    expect(readBack).toEqual(values.map(([bits]) => bits === 0x8000 ? 0x8000 : bits))
    // Surviving the float32 route as well costs no extra digit for any float16.
    const differ = values.filter(([, v], i) => significantDigits(shortestFloat16(v)) !== significantDigits(shortest[i] as string))
    expect(differ).toEqual([])
  })
})

describe('shortestBfloat16 (exhaustive)', () => {
  const values = finite16(bfloat16ToNumber)
  const readsBack = (v: number) => (parsed: number) => roundToBfloat16(parsed) === v && roundToBfloat16(Math.fround(parsed)) === v

  it('reads back through double and through float32, is valid JSON, and has no shorter form', () => {
    const bad = values.filter(([, v]) => {
      const text = shortestBfloat16(v)
      const parsed = JSON.parse(text) as number
      return !JSON_NUMBER.test(text) || !Object.is(roundToBfloat16(parsed), v) || !Object.is(roundToBfloat16(Math.fround(parsed)), v) ||
        significantDigits(text) > 4 || shorterExists(v, text, readsBack(v))
    })
    expect(bad.map(([bits]) => bits)).toEqual([])
  })
})

describe('shortestFloat64', () => {
  it('is JS\'s own shortest form, keeping the sign of zero', () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (v) => {
      const text = shortestFloat64(v)
      expect(text).toMatch(JSON_NUMBER)
      expect(Object.is(JSON.parse(text), v)).toBe(true)
    }), { numRuns: 20_000 })
    expect(shortestFloat64(0.1)).toBe('0.1')
  })
})
