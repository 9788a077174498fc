import { f32FromBits, type HalfDType, roundHalf } from './half-conversion.ts'

/**
 * Scalar arithmetic "in dtype D" as MLX's CPU does it (spec b.0): float32 ops are one IEEE
 * float32 op (Math.fround of the double result is exact emulation for +, -, *, /); float16 and
 * bfloat16 ops convert to float32, do one float32 op, and round the result to D.
 * Values are float32 numbers that are representable in D. Used for parameters and lookup-table
 * construction; hot loops inline the same steps.
 */

export type MlxDType = 'float32' | HalfDType

/** Round a float32 value to D (identity for float32). */
export function roundTo (dtype: MlxDType, x: number): number {
  return dtype === 'float32' ? Math.fround(x) : roundHalf(dtype, Math.fround(x))
}

/** A scalar parameter as MLX receives it: JS/Python double -> C++ float -> array of dtype D (spec b.0, pitfall 7). */
export function scalarTo (dtype: MlxDType, x: number): number {
  return roundTo(dtype, Math.fround(x))
}

export function mulIn (dtype: MlxDType, a: number, b: number): number {
  return roundTo(dtype, Math.fround(a * b))
}

export function addIn (dtype: MlxDType, a: number, b: number): number {
  return roundTo(dtype, Math.fround(a + b))
}

export function subIn (dtype: MlxDType, a: number, b: number): number {
  return roundTo(dtype, Math.fround(a - b))
}

export function divIn (dtype: MlxDType, a: number, b: number): number {
  return roundTo(dtype, Math.fround(a / b))
}

/** min/max as MLX's Minimum/Maximum on non-NaN values. */
export function minIn (a: number, b: number): number {
  return a < b ? a : b
}

export function maxIn (a: number, b: number): number {
  return a > b ? a : b
}

/** The largest value below 1 in D (MLX `below_one<T>()` / nextafter(1, 0)): spec b.5. */
export const BELOW_ONE: Record<MlxDType, number> = {
  float32: f32FromBits(0x3f7fffff),
  float16: 0.99951171875, // 0x3BFF
  bfloat16: 0.99609375 // 0x3F7F
}

/** The value just above -1 in D (MLX `above_minus_one<T>()` / nextafter(-1, 0)): spec b.6. */
export const ABOVE_MINUS_ONE: Record<MlxDType, number> = {
  float32: f32FromBits(0xbf7fffff),
  float16: -0.99951171875, // 0xBBFF
  bfloat16: -0.99609375 // 0xBF7F
}

/** sqrt(2) in D: array(std::sqrt(2.0), D). f32 0x3FB504F3, f16 0x3DA8, bf16 0x3FB5 (spec b.6). */
export const SQRT2_IN: Record<MlxDType, number> = {
  float32: scalarTo('float32', Math.SQRT2),
  float16: scalarTo('float16', Math.SQRT2),
  bfloat16: scalarTo('bfloat16', Math.SQRT2)
}
