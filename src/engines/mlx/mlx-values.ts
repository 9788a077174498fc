import type { Key } from '../../core/plan.ts'
import type { Mx, MxArray, MxDtype } from './mlx-module.ts'

/**
 * Building MLX arrays from JS values without losing bits. node-mlx turns every JS number into a
 * C++ float first (spec b.0), which is exactly MLX's own double -> float -> dtype chain for float
 * parameters, but corrupts uint32 values above 2^24 (spec pitfall 11).
 */

export type MlxFloat = 'float32' | 'float16' | 'bfloat16'

export function mlxDtype (mx: Mx, dtype: MlxFloat): MxDtype {
  switch (dtype) {
    case 'float32': return mx.float32
    case 'float16': return mx.float16
    case 'bfloat16': return mx.bfloat16
  }
}

/** Values below 2^16 survive the float32 detour exactly; shift and OR them into 32 bits. */
function uint32Of (mx: Mx, values: readonly number[]): MxArray {
  const high = mx.array(values.map((v) => v >>> 16), mx.uint32)
  const low = mx.array(values.map((v) => v & 0xffff), mx.uint32)
  return mx.bitwiseOr(mx.leftShift(high, mx.array(16, mx.uint32)), low)
}

/**
 * An MLX key array (uint32, shape [2]) holding exactly [k0, k1], for any key: what
 * mx.random.key(seed) returns for seeds that fit a JS number, and what split() rows hold otherwise.
 */
export function keyArray (mx: Mx, key: Key): MxArray {
  return uint32Of(mx, [key[0], key[1]])
}

/** A uint32 scalar array holding exactly `value` (0 <= value < 2^32). */
export function uint32Scalar (mx: Mx, value: number): MxArray {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** 32) throw new RangeError(`not a uint32: ${value}`)
  return uint32Of(mx, [value]).reshape([])
}
