import { TensorInitError } from '../../core/errors.ts'
import type { DType } from '../../core/dtype.ts'
import { F16_TO_F32, bf16ToF32 } from '../../random/half-conversion.ts'

/**
 * Rounding a double to a float dtype with ONE rounding (nearest, ties to even), for the non-MLX
 * families' "sample in double, round once" recipes. Going double -> float32 -> half would round
 * twice and bias values that land on a half midpoint after the first rounding.
 *
 * The half conversions work on the double's bits (integer rounding of the significand), so they
 * are exact and cheap; neighbours are +-1 on the sign-magnitude encodings. A sampler keeps a
 * rounded value inside its bounds by stepping back to the neighbour when rounding crossed one.
 */

export type FloatDType = 'float32' | 'float16' | 'bfloat16' | 'float64'

function isFloatDType (dtype: DType): dtype is FloatDType {
  return dtype === 'float32' || dtype === 'float16' || dtype === 'bfloat16' || dtype === 'float64'
}

/** The plan's dtype as a float dtype, or the service's unsupported-dtype error. */
export function requireFloatDType (dtype: DType, what: string): FloatDType {
  if (!isFloatDType(dtype)) throw new TensorInitError('unsupported-dtype', `${what} needs a floating dtype, got ${dtype}`, '/dtype')
  return dtype
}

const f64 = new Float64Array(1)
const w64 = new Uint32Array(f64.buffer) // [low, high] on little-endian hosts
const f32 = new Float32Array(1)
const w32 = new Uint32Array(f32.buffer)

/**
 * Bits of a double rounded to a binary16-like format with `mant` fraction bits and exponent bias
 * `bias` (float16: 10, 15; bfloat16: 7, 127): nearest, ties to even; overflow to +-inf;
 * subnormals rounded on their fixed grid. NaN becomes the quiet NaN.
 */
function halfBits (x: number, mant: number, bias: number): number {
  f64[0] = x
  const hi = w64[1]!
  const lo = w64[0]!
  const sign = (hi >>> 16) & 0x8000
  const e = ((hi >>> 20) & 0x7ff) - 1023
  const expMask = (2 * bias + 1) << mant // all-ones exponent: inf / NaN
  if (e === 1024) return sign | expMask | ((hi & 0xfffff) | lo ? 1 << (mant - 1) : 0)
  if (e > bias) return sign | expMask
  const top = (hi & 0xfffff) | 0x100000 // implicit 1 and the top 20 fraction bits (21 bits)
  // Bits of `top` (besides the implicit one) that are dropped: normal numbers keep `mant` fraction
  // bits; subnormals keep fewer, down to none.
  const minExp = 1 - bias
  const drop = e >= minExp ? 20 - mant : 20 - mant + (minExp - e)
  if (drop > 21) return sign // below half the smallest subnormal: 0
  const kept = drop === 21 ? 0 : top >>> drop
  const half = 1 << (drop - 1)
  const rest = top & ((1 << drop) - 1) // the dropped bits of `top` (drop <= 21)
  let h = e >= minExp ? ((e + bias) << mant) | (kept & ((1 << mant) - 1)) : kept
  if (rest > half || (rest === half && (lo !== 0 || (h & 1) === 1))) h++ // a carry moves up an exponent, or to inf
  return sign | h
}

export function f16BitsOf (x: number): number {
  return halfBits(x, 10, 15)
}

export function bf16BitsOf (x: number): number {
  return halfBits(x, 7, 127)
}

/** The neighbour of a sign-magnitude encoding toward +inf (`up`) or -inf, with `signBit` its sign. */
function stepBits (bits: number, signBit: number, up: boolean): number {
  if ((bits & ~signBit) === 0) return up ? 1 : (signBit | 1) >>> 0 // +-0 -> +-smallest subnormal
  const negative = (bits & signBit) !== 0
  return (up === negative ? bits - 1 : bits + 1) >>> 0
}

function f32Neighbour (v: number, up: boolean): number {
  f32[0] = v
  w32[0] = stepBits(w32[0]!, 0x80000000, up)
  return f32[0]!
}

function f64Neighbour (v: number, up: boolean): number {
  if (v === 0) return up ? 2 ** -1074 : -(2 ** -1074)
  f64[0] = v
  const away = (v > 0) === up // increment the magnitude
  let lo = w64[0]!
  let hi = w64[1]!
  if (away) {
    lo = (lo + 1) >>> 0
    if (lo === 0) hi++
  } else {
    if (lo === 0) hi--
    lo = (lo - 1) >>> 0
  }
  w64[0] = lo
  w64[1] = hi
  return f64[0]!
}

/** x rounded once to `dtype` (nearest, ties to even), as a double. */
export function roundTo (dtype: FloatDType, x: number): number {
  switch (dtype) {
    case 'float64': return x
    case 'float32': return Math.fround(x)
    case 'float16': return F16_TO_F32[f16BitsOf(x)]!
    case 'bfloat16': return bf16ToF32(bf16BitsOf(x))
  }
}

/** The smallest value of `dtype` above the representable value v (finite v). */
export function nextAbove (dtype: FloatDType, v: number): number {
  switch (dtype) {
    case 'float64': return f64Neighbour(v, true)
    case 'float32': return f32Neighbour(v, true)
    case 'float16': return F16_TO_F32[stepBits(f16BitsOf(v), 0x8000, true)]!
    case 'bfloat16': return bf16ToF32(stepBits(bf16BitsOf(v), 0x8000, true))
  }
}

/** The largest value of `dtype` below the representable value v (finite v). */
export function nextBelow (dtype: FloatDType, v: number): number {
  switch (dtype) {
    case 'float64': return f64Neighbour(v, false)
    case 'float32': return f32Neighbour(v, false)
    case 'float16': return F16_TO_F32[stepBits(f16BitsOf(v), 0x8000, false)]!
    case 'bfloat16': return bf16ToF32(stepBits(bf16BitsOf(v), 0x8000, false))
  }
}

/**
 * Round x to `dtype` and keep the result inside [low, high] ([low, high) with `openHigh`):
 * when rounding crossed a bound, step back to the neighbour inside, if there is one. x itself
 * lies within the bounds, so one step always suffices.
 */
export function roundWithin (dtype: FloatDType, x: number, low: number, high: number, openHigh = false): number {
  let r = roundTo(dtype, x)
  if (openHigh ? r >= high : r > high) {
    const below = nextBelow(dtype, r)
    if (below >= low) r = below
  } else if (r < low) {
    const above = nextAbove(dtype, r)
    if (openHigh ? above < high : above <= high) r = above
  }
  return r
}

/** Float32 values, float16/bfloat16 bit patterns or float64 values over a kernel's output bytes. */
export type FloatView = Float32Array | Uint16Array | Float64Array

/** A typed view of a kernel's output (byteOffset is a multiple of 8, so every view lines up). */
export function floatView (dtype: FloatDType, out: Uint8Array): FloatView {
  switch (dtype) {
    case 'float32': return new Float32Array(out.buffer, out.byteOffset, out.byteLength >> 2)
    case 'float64': return new Float64Array(out.buffer, out.byteOffset, out.byteLength >> 3)
    default: return new Uint16Array(out.buffer, out.byteOffset, out.byteLength >> 1)
  }
}

/**
 * Stores x rounded once to `dtype` at view[i], kept inside [low, high] ([low, high) with
 * `openHigh`) as roundWithin does. The kernels' hot path: halves go straight to bits.
 */
export function storeWithin (dtype: FloatDType, view: FloatView, i: number, x: number, low: number, high: number, openHigh = false): void {
  if (dtype === 'float64') {
    view[i] = x
  } else if (dtype === 'float32') {
    const r = Math.fround(x)
    view[i] = (openHigh ? r >= high : r > high) || r < low ? roundWithin(dtype, x, low, high, openHigh) : r
  } else {
    let h = dtype === 'float16' ? f16BitsOf(x) : bf16BitsOf(x)
    const r = dtype === 'float16' ? F16_TO_F32[h]! : bf16ToF32(h)
    if ((openHigh ? r >= high : r > high) || r < low) {
      h = dtype === 'float16' ? f16BitsOf(roundWithin(dtype, x, low, high, openHigh)) : bf16BitsOf(roundWithin(dtype, x, low, high, openHigh))
    }
    view[i] = h
  }
}
