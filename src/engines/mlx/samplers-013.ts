import { ABOVE_MINUS_ONE, BELOW_ONE } from '../../random/dtype-math.ts'
import type { Mx, MxArray } from './mlx-module.ts'
import { type MlxFloat, mlxDtype } from './mlx-values.ts'

/**
 * MLX 0.13.1's samplers (mlx/random.cpp at e6fecbb3; spec b.5-b.7) written out as the MLX ops they
 * are made of, applied to draws that cover only the elements wanted. Every op, constant and
 * operand order is the one random.cpp uses, so each element goes through the same kernels as in
 * mx.random.uniform/normal/truncatedNormal on the whole tensor.
 *
 * Draws: uint32 words for float32, uint16 draws for float16/bfloat16 (0.13 draws 16-bit values for
 * half dtypes, spec b.5). Scalars arrive as JS numbers, which node-mlx turns into C++ floats, like
 * the bindings do for the parameters of the real samplers (spec b.0, pitfall 7).
 */

/** uniform(lo, hi) with lo/hi already arrays of dtype D (random.cpp `uniform`). */
function uniformArrays (mx: Mx, dtype: MlxFloat, lo: MxArray, hi: MxArray, draws: MxArray): MxArray {
  const d = mlxDtype(mx, dtype)
  const range = mx.subtract(hi, lo)
  // get_limits(): float32(UINT32_MAX) is 2^32; the 16-bit path divides by 65535 (b.5).
  const upper = mx.array(BELOW_ONE[dtype], d)
  const maxval = mx.array(dtype === 'float32' ? 4294967295 : 65535, mx.float32)
  let out = mx.divide(draws, maxval).astype(d)
  out = mx.minimum(out, upper)
  return mx.add(mx.multiply(range, out), lo)
}

export function uniform013 (mx: Mx, dtype: MlxFloat, low: number, high: number, draws: MxArray): MxArray {
  const d = mlxDtype(mx, dtype)
  return uniformArrays(mx, dtype, mx.array(low, mx.float32).astype(d), mx.array(high, mx.float32).astype(d), draws)
}

/** normal(shape, dtype, loc, scale): b.6, with 0.13's "skip when scale == 1 / loc == 0" on floats. */
export function normal013 (mx: Mx, dtype: MlxFloat, loc: number, scale: number, draws: MxArray): MxArray {
  const d = mlxDtype(mx, dtype)
  const low = mx.array(ABOVE_MINUS_ONE[dtype], d)
  const high = mx.array(1, d)
  let samples = uniformArrays(mx, dtype, low, high, draws)
  samples = mx.multiply(mx.array(Math.SQRT2, d), mx.erfinv(samples))
  if (Math.fround(scale) !== 1) samples = mx.multiply(mx.array(scale, d), samples)
  if (Math.fround(loc) !== 0) samples = mx.add(mx.array(loc, d), samples)
  return samples
}

/** truncated_normal(lower, upper): b.7, with 0.13's erf (MLX's fast_erf on the CPU). */
export function truncatedNormal013 (mx: Mx, dtype: MlxFloat, lower: number, upper: number, draws: MxArray): MxArray {
  const d = mlxDtype(mx, dtype)
  const sqrt2 = mx.array(Math.SQRT2, d)
  const lowerT = mx.array(lower, mx.float32).astype(d)
  const upperT = mx.array(upper, mx.float32).astype(d)
  const a = mx.erf(mx.divide(lowerT, sqrt2))
  const b = mx.erf(mx.divide(upperT, sqrt2))
  const u = uniformArrays(mx, dtype, a, b, draws)
  const out = mx.multiply(sqrt2, mx.erfinv(u))
  return mx.maximum(mx.minimum(upperT, out), lowerT)
}
