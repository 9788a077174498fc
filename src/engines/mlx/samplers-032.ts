import { ABOVE_MINUS_ONE, BELOW_ONE } from '../../random/dtype-math.ts'
import { truncatedBounds } from '../../random/truncated-normal.ts'
import type { Mx, MxArray } from './mlx-module.ts'
import { type MlxFloat, mlxDtype } from './mlx-values.ts'

/**
 * MLX 0.32's samplers (mlx/random.cpp at v0.32.1; spec b.13) composed from the MLX 0.13 kernels
 * in the same order. What changed since 0.13: 32-bit words for every dtype, the uniform computed in
 * float32 and cast to D after the clamp, normal's erfinv in float32 then cast, the scale folded
 * into sqrt2 before the multiply, loc/scale skipped only when not passed.
 *
 * Every sampler starts from `unit`: min(float32(word) / float32(UINT32_MAX), 1 - 2^-24), the
 * float32 uniform on [0, 1). Clamping that again at a lower `upper` equals clamping the quotient
 * directly (min is monotone), so one array serves every dtype. It is either MLX's own
 * mx.random.uniform(0, 1, shape, float32, key) on the whole tensor (range 1, low 0: both steps
 * exact) or unitFromWords on the words of a range.
 */

export function unitFromWords (mx: Mx, words: MxArray): MxArray {
  const unit = mx.divide(words, mx.array(4294967295, mx.float32))
  return mx.minimum(unit, mx.array(BELOW_ONE.float32, mx.float32))
}

/** uniform(lo, hi, dtype) with lo/hi already arrays of dtype D. */
function uniformArrays (mx: Mx, dtype: MlxFloat, lo: MxArray, hi: MxArray, unit: MxArray): MxArray {
  const d = mlxDtype(mx, dtype)
  const range = mx.subtract(hi, lo)
  const out = mx.minimum(unit, mx.array(BELOW_ONE[dtype], mx.float32)).astype(d)
  return mx.add(mx.multiply(range, out), lo)
}

export function uniform032 (mx: Mx, dtype: MlxFloat, low: number, high: number, unit: MxArray): MxArray {
  const d = mlxDtype(mx, dtype)
  return uniformArrays(mx, dtype, mx.array(low, mx.float32).astype(d), mx.array(high, mx.float32).astype(d), unit)
}

/** normal(shape, dtype, loc?, scale?): undefined means "not passed" (Python None). */
export function normal032 (mx: Mx, dtype: MlxFloat, loc: number | undefined, scale: number | undefined, unit: MxArray): MxArray {
  const d = mlxDtype(mx, dtype)
  const low = mx.array(ABOVE_MINUS_ONE.float32, mx.float32)
  const high = mx.array(1, mx.float32)
  const samples = uniformArrays(mx, 'float32', low, high, unit)
  let applied = mx.array(Math.SQRT2, d)
  if (scale !== undefined) applied = mx.multiply(applied, mx.array(scale, mx.float32).astype(d))
  let out = mx.multiply(applied, mx.erfinv(samples).astype(d))
  if (loc !== undefined) out = mx.add(mx.array(loc, mx.float32).astype(d), out)
  return out
}

/**
 * truncated_normal(lower, upper): b.7 with 0.32's uniform. 0.32's CPU erf (A&S 7.1.26 with MLX's
 * own exp, b.13) is no kernel of MLX 0.13; it only maps the two bounds to the uniform's low and
 * high, so those two scalars come from the service's port of it, and every element runs in MLX.
 */
export function truncatedNormal032 (mx: Mx, dtype: MlxFloat, lower: number, upper: number, unit: MxArray): MxArray {
  const d = mlxDtype(mx, dtype)
  const bounds = truncatedBounds('mlx-0.32', dtype, lower, upper)
  // The bounds are values of D, so the float32 detour of mx.array keeps them exact.
  const sqrt2 = mx.array(Math.SQRT2, d)
  const lowerT = mx.array(bounds.lt, d)
  const upperT = mx.array(bounds.ut, d)
  const u = uniformArrays(mx, dtype, mx.array(bounds.a, d), mx.array(bounds.b, d), unit)
  const out = mx.multiply(sqrt2, mx.erfinv(u))
  return mx.maximum(mx.minimum(upperT, out), lowerT)
}
