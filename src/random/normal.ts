import type { Profile } from '../core/profile.ts'
import { fillWords } from './bits.ts'
import { ABOVE_MINUS_ONE, BELOW_ONE, SQRT2_IN, addIn, mulIn, roundTo, scalarTo, subIn } from './dtype-math.ts'
import { erfinvF32 } from './erf.ts'
import { normalQuantile } from './float64.ts'
import { type HalfDType, bf16FromF32, f16FromF32, halfFromF32, halfToF32 } from './half-conversion.ts'
import { LruCache } from './lru.ts'
import { type DrawRange, type SampleOut, type SamplerDType, checkRange } from './sampler-types.ts'
import { BLOCK_WORDS, blockWords } from './scratch.ts'
import { applyLut16, unit013 } from './uniform.ts'

/**
 * mx.random.normal(shape, dtype, loc, scale, key) for any element range.
 *
 * The float32 core is shared: u = min(fround(word)/2^32, 1 - 2^-24), x = fround(2u - (1 - 2^-24))
 * (the uniform on [nextafter(-1, 0), 1) whose float32 range rounds to exactly 2, spec b.6 /
 * pitfall 4), e = erfinv(x). What follows depends on the profile (`loc`/`scale` undefined means
 * "not passed"):
 *  - mlx-0.13 (spec b.6): v = sqrt2 * e, then v = scale * v if float(scale) != 1, then
 *    v = loc + v if float(loc) != 0, each op rounded in D. Half dtypes run the whole chain in D
 *    from a 16-bit draw, so a 65 536-entry table per (dtype, loc, scale) is exact.
 *  - mlx-0.32 (spec b.13): x and erfinv always in float32; e = D(e);
 *    applied = sqrt2_D, or sqrt2_D * scale_D if scale was passed (folded first!);
 *    v = applied * e; v = loc_D + v if loc was passed. For half dtypes the part after e = D(e)
 *    depends on e's 16 bits only: a table indexed by those bits.
 * float64 is this service's own recipe: see normalF64.
 */

const TWO_M32 = 2 ** -32
const TWO_M53 = 2 ** -53
const TWO_21 = 2 ** 21
const TOP = BELOW_ONE.float32
const LOW = ABOVE_MINUS_ONE.float32
const SQRT2 = SQRT2_IN.float32

/**
 * The per-call scalars of the float32 normal: v = first * e, then v = second * v if hasSecond,
 * then v = addend + v if hasAdd, each op rounded to float32, e = erfinv(x) of the shared core.
 *  - mlx-0.13 (spec b.6): first = sqrt2; second = float(scale), applied if != 1; addend =
 *    float(loc), applied if != 0.
 *  - mlx-0.32 (spec b.13): first = sqrt2, or float(sqrt2 * float(scale)) if scale was passed
 *    (folded before it meets e); addend = float(loc), applied if loc was passed; no second factor.
 * normalF32 and the wasm kernel (src/engines/cpu/wasm/wasm-kernels.ts) both take them from here:
 * a difference between the two would be a difference in bytes.
 */
export interface NormalF32Coefficients {
  first: number
  second: number
  addend: number
  hasSecond: boolean
  hasAdd: boolean
}

export function normalF32Coefficients (profile: Profile, loc: number | undefined, scale: number | undefined): NormalF32Coefficients {
  if (profile === 'mlx-0.13') {
    const second = Math.fround(scale ?? 1)
    const addend = Math.fround(loc ?? 0)
    return { first: SQRT2, second, addend, hasSecond: second !== 1, hasAdd: addend !== 0 }
  }
  return {
    first: scale === undefined ? SQRT2 : Math.fround(SQRT2 * Math.fround(scale)),
    second: 1,
    addend: loc === undefined ? 0 : Math.fround(loc),
    hasSecond: false,
    hasAdd: loc !== undefined
  }
}

/**
 * float32 normal: one loop with a first factor, an optional second factor and an optional
 * addend (normalF32Coefficients), the flags being loop-invariant.
 */
export function normalF32 (profile: Profile, d: DrawRange, loc: number | undefined, scale: number | undefined, out: Float32Array, outOffset = 0): void {
  checkRange(d, out, outOffset)
  const { first, second, addend, hasSecond, hasAdd } = normalF32Coefficients(profile, loc, scale)
  const words = blockWords()
  for (let s = d.start; s < d.end; s += BLOCK_WORDS) {
    const e = Math.min(d.end, s + BLOCK_WORDS)
    fillWords(d.key, d.n, s, e, words)
    const base = outOffset + s - d.start
    for (let i = 0, m = e - s; i < m; i++) {
      let u = Math.fround(words[i]!) * TWO_M32
      if (u > TOP) u = TOP
      let v = Math.fround(first * erfinvF32(Math.fround(2 * u + LOW)))
      if (hasSecond) v = Math.fround(second * v)
      if (hasAdd) v = Math.fround(addend + v)
      out[base + i] = v
    }
  }
}

const luts = new LruCache<string, Uint16Array>(64)

/** mlx-0.13 half normal table: entry b is the output bits for the 16-bit draw b (spec b.6). */
export function normalLut013 (dtype: HalfDType, loc: number, scale: number): Uint16Array {
  const s32 = Math.fround(scale)
  const l32 = Math.fround(loc)
  return luts.getOrCreate(`n013|${dtype}|${l32}|${s32}`, () => {
    const low = ABOVE_MINUS_ONE[dtype]
    const range = subIn(dtype, 1, low) // exactly 2 in every dtype, computed as MLX does
    const sqrt2 = SQRT2_IN[dtype]
    const scaleD = scalarTo(dtype, s32)
    const locD = scalarTo(dtype, l32)
    const lut = new Uint16Array(65536)
    for (let b = 0; b < 65536; b++) {
      const x = addIn(dtype, mulIn(dtype, range, unit013(dtype, b)), low)
      let v = mulIn(dtype, sqrt2, roundTo(dtype, erfinvF32(x)))
      if (s32 !== 1) v = mulIn(dtype, scaleD, v)
      if (l32 !== 0) v = addIn(dtype, locD, v)
      lut[b] = halfFromF32(dtype, v)
    }
    return lut
  })
}

/** mlx-0.32 half normal table: entry h is the output bits for e = D(erfinv(x)) with bits h (spec b.13). */
export function normalLut032 (dtype: HalfDType, loc: number | undefined, scale: number | undefined): Uint16Array {
  return luts.getOrCreate(`n032|${dtype}|${loc === undefined ? '-' : Math.fround(loc)}|${scale === undefined ? '-' : Math.fround(scale)}`, () => {
    const applied = scale === undefined ? SQRT2_IN[dtype] : mulIn(dtype, SQRT2_IN[dtype], scalarTo(dtype, scale))
    const locD = loc === undefined ? 0 : scalarTo(dtype, loc)
    const lut = new Uint16Array(65536)
    for (let h = 0; h < 65536; h++) {
      let v = mulIn(dtype, applied, halfToF32(dtype, h))
      if (loc !== undefined) v = addIn(dtype, locD, v)
      lut[h] = halfFromF32(dtype, v)
    }
    return lut
  })
}

/** mlx-0.32 half: float32 erfinv per element, cast to D, then the table. */
function normalHalf032 (dtype: HalfDType, d: DrawRange, lut: Uint16Array, out: Uint16Array, outOffset: number): void {
  const words = blockWords()
  const bf16 = dtype === 'bfloat16'
  for (let s = d.start; s < d.end; s += BLOCK_WORDS) {
    const e = Math.min(d.end, s + BLOCK_WORDS)
    fillWords(d.key, d.n, s, e, words)
    const base = outOffset + s - d.start
    for (let i = 0, m = e - s; i < m; i++) {
      let u = Math.fround(words[i]!) * TWO_M32
      if (u > TOP) u = TOP
      const ef = erfinvF32(Math.fround(2 * u + LOW))
      out[base + i] = lut[bf16 ? bf16FromF32(ef) : f16FromF32(ef)]!
    }
  }
}

/** Half-dtype normal, per profile, as bit patterns. */
export function normalHalf (profile: Profile, dtype: HalfDType, d: DrawRange, loc: number | undefined, scale: number | undefined, out: Uint16Array, outOffset = 0): void {
  checkRange(d, out, outOffset)
  if (profile === 'mlx-0.13') applyLut16(d, normalLut013(dtype, loc ?? 0, scale ?? 1), out, outOffset)
  else normalHalf032(dtype, d, normalLut032(dtype, loc, scale), out, outOffset)
}

/**
 * float64 normal, the service's own recipe (both profiles): the 64-bit draw of element e (width-8
 * layout, as uniformF64) gives k = its top 53 bits, p = (k + 0.5) / 2^53 in (0, 1) (never 0, 1 or
 * exactly 1/2), z = the AS 241 normal quantile of p, out = loc + scale * z in double.
 * Deterministic and portable (plain double arithmetic, fdlibm log); not MLX-exact.
 */
export function normalF64 (d: DrawRange, loc: number | undefined, scale: number | undefined, out: Float64Array, outOffset = 0): void {
  checkRange(d, out, outOffset)
  const l = loc ?? 0
  const sc = scale ?? 1
  const words = blockWords()
  const per = BLOCK_WORDS / 2
  for (let s = d.start; s < d.end; s += per) {
    const e = Math.min(d.end, s + per)
    fillWords(d.key, 2 * d.n, 2 * s, 2 * e, words)
    const base = outOffset + s - d.start
    for (let i = 0, m = e - s; i < m; i++) {
      const k = words[2 * i + 1]! * TWO_21 + (words[2 * i]! >>> 11)
      out[base + i] = l + sc * normalQuantile((k + 0.5) * TWO_M53)
    }
  }
}

/** Dispatches on dtype: Float32Array for float32, Uint16Array bits for halves, Float64Array for float64. */
export function sampleNormal (profile: Profile, dtype: SamplerDType, d: DrawRange, loc: number | undefined, scale: number | undefined, out: SampleOut, outOffset = 0): void {
  if (dtype === 'float32' && out instanceof Float32Array) normalF32(profile, d, loc, scale, out, outOffset)
  else if ((dtype === 'float16' || dtype === 'bfloat16') && out instanceof Uint16Array) normalHalf(profile, dtype, d, loc, scale, out, outOffset)
  else if (dtype === 'float64' && out instanceof Float64Array) normalF64(d, loc, scale, out, outOffset)
  else throw new TypeError(`output array does not match dtype ${dtype}`)
}
