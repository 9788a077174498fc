import type { Profile } from '../core/profile.ts'
import { fillWords } from './bits.ts'
import { BELOW_ONE, type MlxDType, SQRT2_IN, addIn, divIn, mulIn, roundTo, scalarTo, subIn } from './dtype-math.ts'
import { erfMlx013, erfMlx032, erfinvF32 } from './erf.ts'
import { type HalfDType, bf16FromF32, f16FromF32, halfFromF32, halfToF32 } from './half-conversion.ts'
import { LruCache } from './lru.ts'
import type { DrawRange } from './sampler-types.ts'
import { checkRange } from './sampler-types.ts'
import { BLOCK_WORDS, blockWords } from './scratch.ts'
import { applyLut16, unit013 } from './uniform.ts'

/**
 * mx.random.truncated_normal(lower, upper, shape, dtype, key) for any element range (spec b.7):
 *
 *   s2 = sqrt2_D; lt, ut = D(float(lower)), D(float(upper))
 *   a = erf_D(lt / s2); b = erf_D(ut / s2)              (divide in D; erf = float32 kernel, rounded to D)
 *   x = uniform(a, b, shape, D, key)                    (range = b - a in D; x = range*u + a)
 *   out = max(min(ut, s2 * erfinv_D(x)), lt)
 *
 * The profiles differ in erf (0.13: fast_erf + glibc expf; 0.32: A&S 7.1.26 with MLX's own exp,
 * spec b.13) and, for half dtypes, in the uniform's draw width (b.5 vs b.13). Only MLX dtypes:
 * this service has no float64 recipe for MLX's truncated normal.
 */

const TWO_M32 = 2 ** -32

export interface TruncatedBounds {
  /** sqrt2 in D */
  s2: number
  /** lower, upper as D values */
  lt: number
  ut: number
  /** erf of the bounds in units of sqrt2, as D values: the uniform's low and high */
  a: number
  b: number
}

/** The per-call scalars of truncated_normal in dtype D (spec b.7). */
export function truncatedBounds (profile: Profile, dtype: MlxDType, lower: number, upper: number): TruncatedBounds {
  const s2 = SQRT2_IN[dtype]
  const lt = scalarTo(dtype, lower)
  const ut = scalarTo(dtype, upper)
  const erf = profile === 'mlx-0.13' ? erfMlx013 : erfMlx032
  const a = roundTo(dtype, erf(divIn(dtype, lt, s2)))
  const b = roundTo(dtype, erf(divIn(dtype, ut, s2)))
  return { s2, lt, ut, a, b }
}

/** MLX's minimum(ut, v) then maximum(., lt): NaN in the first operand wins, else the usual compare. */
function clip (v: number, lt: number, ut: number): number {
  const m = Number.isNaN(ut) ? ut : (ut < v ? ut : v)
  return Number.isNaN(m) ? m : (m > lt ? m : lt)
}

/** float32 truncated normal: the 32-bit uniform path, then sqrt2 * erfinv and the clip. */
export function truncatedNormalF32 (profile: Profile, d: DrawRange, lower: number, upper: number, out: Float32Array, outOffset = 0): void {
  checkRange(d, out, outOffset)
  const { s2, lt, ut, a, b } = truncatedBounds(profile, 'float32', lower, upper)
  const range = Math.fround(b - a)
  const top = BELOW_ONE.float32
  const words = blockWords()
  for (let s = d.start; s < d.end; s += BLOCK_WORDS) {
    const e = Math.min(d.end, s + BLOCK_WORDS)
    fillWords(d.key, d.n, s, e, words)
    const base = outOffset + s - d.start
    for (let i = 0, m = e - s; i < m; i++) {
      let u = Math.fround(words[i]!) * TWO_M32
      if (u > top) u = top
      const x = Math.fround(Math.fround(range * u) + a)
      out[base + i] = clip(Math.fround(s2 * erfinvF32(x)), lt, ut)
    }
  }
}

const luts = new LruCache<string, Uint16Array>(32)

/** Output bits for the uniform value u (a D value), shared by both half tables. */
function halfValue (dtype: HalfDType, t: TruncatedBounds, range: number, u: number): number {
  const x = addIn(dtype, mulIn(dtype, range, u), t.a)
  const v = mulIn(dtype, t.s2, roundTo(dtype, erfinvF32(x)))
  return halfFromF32(dtype, clip(v, t.lt, t.ut))
}

/** mlx-0.13 half table: entry b is the output bits for the 16-bit draw b. */
export function truncatedLut013 (dtype: HalfDType, lower: number, upper: number): Uint16Array {
  return luts.getOrCreate(`t013|${dtype}|${Math.fround(lower)}|${Math.fround(upper)}`, () => {
    const t = truncatedBounds('mlx-0.13', dtype, lower, upper)
    const range = subIn(dtype, t.b, t.a)
    const lut = new Uint16Array(65536)
    for (let bits = 0; bits < 65536; bits++) lut[bits] = halfValue(dtype, t, range, unit013(dtype, bits))
    return lut
  })
}

/** mlx-0.32 half table: entry h is the output bits for the uniform u = D value with bits h. */
export function truncatedLut032 (dtype: HalfDType, lower: number, upper: number): Uint16Array {
  return luts.getOrCreate(`t032|${dtype}|${Math.fround(lower)}|${Math.fround(upper)}`, () => {
    const t = truncatedBounds('mlx-0.32', dtype, lower, upper)
    const range = subIn(dtype, t.b, t.a)
    const lut = new Uint16Array(65536)
    const last = halfFromF32(dtype, BELOW_ONE[dtype])
    for (let h = 0; h <= last; h++) lut[h] = halfValue(dtype, t, range, halfToF32(dtype, h))
    return lut
  })
}

/** Half-dtype truncated normal, per profile, as bit patterns. */
export function truncatedNormalHalf (profile: Profile, dtype: HalfDType, d: DrawRange, lower: number, upper: number, out: Uint16Array, outOffset = 0): void {
  checkRange(d, out, outOffset)
  if (profile === 'mlx-0.13') {
    applyLut16(d, truncatedLut013(dtype, lower, upper), out, outOffset)
    return
  }
  const lut = truncatedLut032(dtype, lower, upper)
  const top = BELOW_ONE[dtype]
  const bf16 = dtype === 'bfloat16'
  const words = blockWords()
  for (let s = d.start; s < d.end; s += BLOCK_WORDS) {
    const e = Math.min(d.end, s + BLOCK_WORDS)
    fillWords(d.key, d.n, s, e, words)
    const base = outOffset + s - d.start
    for (let i = 0, m = e - s; i < m; i++) {
      let u = Math.fround(words[i]!) * TWO_M32
      if (u > top) u = top
      out[base + i] = lut[bf16 ? bf16FromF32(u) : f16FromF32(u)]!
    }
  }
}
