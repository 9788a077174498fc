import type { Profile } from '../core/profile.ts'
import { fillWords } from './bits.ts'
import { BELOW_ONE, addIn, mulIn, roundTo, scalarTo, subIn } from './dtype-math.ts'
import { type HalfDType, bf16FromF32, f16FromF32, halfFromF32, halfToF32 } from './half-conversion.ts'
import { LruCache } from './lru.ts'
import { type DrawRange, type SampleOut, type SamplerDType, checkRange } from './sampler-types.ts'
import { BLOCK_WORDS, blockWords } from './scratch.ts'

/**
 * mx.random.uniform(low, high, shape, dtype, key) for any element range.
 *
 * float32 is the same in both profiles (spec b.5 / b.13): u = min(fround(word) / 2^32, 1 - 2^-24),
 * out = fround(fround(range * u) + lo) with lo, hi = fround(low), fround(high), range = fround(hi - lo).
 * Half dtypes differ by profile:
 *  - mlx-0.13 draws 16-bit words: u = D(fround(b / 65535)), clamped to below_one_D; the output then
 *    depends on b alone, so a 65 536-entry table per (dtype, low, high) is exact (spec b.5).
 *  - mlx-0.32 draws 32-bit words: u = D(min(fround(word) / 2^32, below_one_D)); the output depends
 *    on u's 16 bits alone, so the table is indexed by u's bits (spec b.13).
 * float64 is this service's own recipe (not MLX, which has no float64 sampler): see uniformF64.
 */

const TWO_M32 = 2 ** -32
const TWO_M53 = 2 ** -53
const TWO_21 = 2 ** 21

/** float32 uniform, both profiles (spec b.5 float32 path, b.13). */
export function uniformF32 (d: DrawRange, low: number, high: number, out: Float32Array, outOffset = 0): void {
  checkRange(d, out, outOffset)
  const lo = Math.fround(low)
  const range = Math.fround(Math.fround(high) - lo)
  const top = BELOW_ONE.float32
  const words = blockWords()
  for (let s = d.start; s < d.end; s += BLOCK_WORDS) {
    const e = Math.min(d.end, s + BLOCK_WORDS)
    fillWords(d.key, d.n, s, e, words)
    const base = outOffset + s - d.start
    for (let i = 0, m = e - s; i < m; i++) {
      // fround(word) is RNE uint32 -> float32; dividing by 2^32 is then exact.
      let u = Math.fround(words[i]!) * TWO_M32
      if (u > top) u = top
      out[base + i] = Math.fround(range * u) + lo // the Float32Array store is the second rounding
    }
  }
}

const luts = new LruCache<string, Uint16Array>(64)

/**
 * mlx-0.13's half-dtype unit value for the 16-bit draw b (spec b.5): u = D(fround(b / 65535)),
 * clamped to below_one_D. The uniform, normal and truncated normal tables all start from it.
 */
export function unit013 (dtype: HalfDType, b: number): number {
  const u = roundTo(dtype, Math.fround(b / 65535))
  const top = BELOW_ONE[dtype]
  return u > top ? top : u
}

/**
 * mlx-0.13 half uniform table: entry b is the output bits for the 16-bit draw b (spec b.5).
 * `lo`/`hi` are already values in D (the truncated normal passes erf results directly).
 */
export function uniformLut013 (dtype: HalfDType, lo: number, hi: number): Uint16Array {
  return luts.getOrCreate(`u013|${dtype}|${lo}|${hi}`, () => {
    const range = subIn(dtype, hi, lo)
    const lut = new Uint16Array(65536)
    for (let b = 0; b < 65536; b++) lut[b] = halfFromF32(dtype, addIn(dtype, mulIn(dtype, range, unit013(dtype, b)), lo))
    return lut
  })
}

/**
 * mlx-0.32 half uniform table: entry h is the output bits for u = the D value with bits h.
 * Only h in [0, bits(below_one_D)] occur (u is in [0, 1)); the rest stay 0.
 */
export function uniformLut032 (dtype: HalfDType, lo: number, hi: number): Uint16Array {
  return luts.getOrCreate(`u032|${dtype}|${lo}|${hi}`, () => {
    const range = subIn(dtype, hi, lo)
    const lut = new Uint16Array(65536)
    const last = halfFromF32(dtype, BELOW_ONE[dtype])
    for (let h = 0; h <= last; h++) {
      lut[h] = halfFromF32(dtype, addIn(dtype, mulIn(dtype, range, halfToF32(dtype, h)), lo))
    }
    return lut
  })
}

/** Applies a table indexed by 16-bit draws (mlx-0.13 half dtypes) to elements [start, end). */
export function applyLut16 (d: DrawRange, lut: Uint16Array, out: Uint16Array, outOffset: number): void {
  const words = blockWords()
  const halves = new Uint16Array(words.buffer, words.byteOffset, 2 * BLOCK_WORDS)
  const totalWords = Math.ceil(d.n / 2)
  // Blocks start at even elements (except possibly the first), so block b covers words [w0, w1).
  for (let s = d.start; s < d.end;) {
    const w0 = Math.floor(s / 2)
    const w1 = Math.min(Math.ceil(d.end / 2), w0 + BLOCK_WORDS)
    fillWords(d.key, totalWords, w0, w1, words)
    const e = Math.min(d.end, 2 * w1)
    const skip = s - 2 * w0
    const base = outOffset + s - d.start
    for (let i = 0, m = e - s; i < m; i++) out[base + i] = lut[halves[skip + i]!]!
    s = e
  }
}

/** mlx-0.32 half: u = min(fround(word)/2^32, below_one_D) in float32, cast to D, looked up. */
function applyLut032 (dtype: HalfDType, d: DrawRange, lut: Uint16Array, out: Uint16Array, outOffset: number): void {
  const top = BELOW_ONE[dtype]
  const words = blockWords()
  for (let s = d.start; s < d.end; s += BLOCK_WORDS) {
    const e = Math.min(d.end, s + BLOCK_WORDS)
    fillWords(d.key, d.n, s, e, words)
    const base = outOffset + s - d.start
    if (dtype === 'bfloat16') {
      for (let i = 0, m = e - s; i < m; i++) {
        let u = Math.fround(words[i]!) * TWO_M32
        if (u > top) u = top
        out[base + i] = lut[bf16FromF32(u)]!
      }
    } else {
      for (let i = 0, m = e - s; i < m; i++) {
        let u = Math.fround(words[i]!) * TWO_M32
        if (u > top) u = top
        out[base + i] = lut[f16FromF32(u)]!
      }
    }
  }
}

/** Half-dtype uniform, per profile, as bit patterns. */
export function uniformHalf (profile: Profile, dtype: HalfDType, d: DrawRange, low: number, high: number, out: Uint16Array, outOffset = 0): void {
  checkRange(d, out, outOffset)
  // low/high arrive as float32 arrays and are cast to D (spec b.0); the tables take D values.
  const lo = scalarTo(dtype, low)
  const hi = scalarTo(dtype, high)
  if (profile === 'mlx-0.13') applyLut16(d, uniformLut013(dtype, lo, hi), out, outOffset)
  else applyLut032(dtype, d, uniformLut032(dtype, lo, hi), out, outOffset)
}

/**
 * float64 uniform, the service's own recipe (both profiles; MLX has no float64 sampler):
 * element e takes the 64-bit draw (word 2e = low, word 2e+1 = high) of a width-8 `bits` layout,
 * u = its top 53 bits / 2^53 in [0, 1 - 2^-53], out = low + (high - low) * u in double.
 */
export function uniformF64 (d: DrawRange, low: number, high: number, out: Float64Array, outOffset = 0): void {
  checkRange(d, out, outOffset)
  const range = high - low
  const words = blockWords()
  const per = BLOCK_WORDS / 2
  for (let s = d.start; s < d.end; s += per) {
    const e = Math.min(d.end, s + per)
    fillWords(d.key, 2 * d.n, 2 * s, 2 * e, words)
    const base = outOffset + s - d.start
    for (let i = 0, m = e - s; i < m; i++) {
      const u = (words[2 * i + 1]! * TWO_21 + (words[2 * i]! >>> 11)) * TWO_M53
      out[base + i] = low + range * u
    }
  }
}

/** Dispatches on dtype: Float32Array for float32, Uint16Array bits for halves, Float64Array for float64. */
export function sampleUniform (profile: Profile, dtype: SamplerDType, d: DrawRange, low: number, high: number, out: SampleOut, outOffset = 0): void {
  if (dtype === 'float32' && out instanceof Float32Array) uniformF32(d, low, high, out, outOffset)
  else if ((dtype === 'float16' || dtype === 'bfloat16') && out instanceof Uint16Array) uniformHalf(profile, dtype, d, low, high, out, outOffset)
  else if (dtype === 'float64' && out instanceof Float64Array) uniformF64(d, low, high, out, outOffset)
  else throw new TypeError(`output array does not match dtype ${dtype}`)
}
