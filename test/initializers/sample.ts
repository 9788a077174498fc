import { executeRange } from '../../src/engines/reference/index.ts'
import { isTensorInitError } from '../../src/core/errors.ts'
import { buildPlan } from '../../src/initializers/build-plan.ts'
import { type TensorRequest } from '../../src/initializers/tensor-request.ts'
import type { DType } from '../../src/core/dtype.ts'
import { elementCount, type Plan } from '../../src/core/plan.ts'
import { type Recipe, keysUsed } from '../../src/core/recipe.ts'
import { bf16ToF32, f16ToF32 } from '../../src/random/half-conversion.ts'
import { sequenceKeys } from '../../src/random/keys.ts'

/**
 * Helpers for the family tests: build a plan from a JSON request, run it on the reference
 * kernels, and decode the bytes to numbers.
 */

export function plan (spec: TensorRequest): Plan {
  return buildPlan(spec, 'json')
}

/** Element values of little-endian bytes in `dtype` (float and integer dtypes; int64 as numbers). */
export function decode (dtype: DType, bytes: Uint8Array): Float64Array {
  const { buffer, byteOffset, byteLength } = bytes
  switch (dtype) {
    case 'float32': return Float64Array.from(new Float32Array(buffer, byteOffset, byteLength / 4))
    case 'float64': return Float64Array.from(new Float64Array(buffer, byteOffset, byteLength / 8))
    case 'float16': return Float64Array.from(new Uint16Array(buffer, byteOffset, byteLength / 2), f16ToF32)
    case 'bfloat16': return Float64Array.from(new Uint16Array(buffer, byteOffset, byteLength / 2), bf16ToF32)
    case 'int8': return Float64Array.from(new Int8Array(buffer, byteOffset, byteLength))
    case 'uint8':
    case 'bool': return Float64Array.from(new Uint8Array(buffer, byteOffset, byteLength))
    case 'int16': return Float64Array.from(new Int16Array(buffer, byteOffset, byteLength / 2))
    case 'uint16': return Float64Array.from(new Uint16Array(buffer, byteOffset, byteLength / 2))
    case 'int32': return Float64Array.from(new Int32Array(buffer, byteOffset, byteLength / 4))
    case 'uint32': return Float64Array.from(new Uint32Array(buffer, byteOffset, byteLength / 4))
    case 'int64': return Float64Array.from(new BigInt64Array(buffer, byteOffset, byteLength / 8), Number)
    case 'uint64': return Float64Array.from(new BigUint64Array(buffer, byteOffset, byteLength / 8), Number)
  }
}

/** The whole tensor (or elements [start, end)) of a plan as numbers. */
export function values (p: Plan, start = 0, end = elementCount(p.shape)): Float64Array {
  return decode(p.dtype, executeRange(p, start, end))
}

/** Builds and runs a request in one go. */
export function sample (spec: TensorRequest): Float64Array {
  return values(plan(spec))
}

/** A plan for a bare recipe (kernel tests): the keys of `seed`'s sequence, profile mlx-0.32. */
export function recipePlan (recipe: Recipe, shape: number[], dtype: DType, seed = 7n): Plan {
  return {
    initializer: 'test',
    params: {},
    recipe,
    profile: 'mlx-0.32',
    keys: sequenceKeys(seed, 0, keysUsed(recipe)),
    keySource: { kind: 'seed', seed: seed.toString(), draw: 0 },
    shape,
    dtype,
    mlxExact: false
  }
}

/** The TensorInitError a request raises (code, field, message), or a failure when it raises none. */
export function planError (spec: TensorRequest): { code: string, field: string | undefined, message: string } {
  try {
    plan(spec)
  } catch (err) {
    if (isTensorInitError(err)) return { code: err.code, field: err.field, message: err.message }
    throw err
  }
  throw new Error(`expected ${JSON.stringify(spec)} to be rejected`)
}

/** Max |M M^T - s^2 I| (byRows) or |M^T M - s^2 I| of a row-major r x c matrix. */
export function orthogonalityError (m: ArrayLike<number>, r: number, c: number, scale: number, byRows: boolean): number {
  let worst = 0
  const [n, len] = byRows ? [r, c] : [c, r]
  const at = (i: number, k: number): number => (byRows ? m[i * c + k]! : m[k * c + i]!)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let dot = 0
      for (let k = 0; k < len; k++) dot += at(i, k) * at(j, k)
      worst = Math.max(worst, Math.abs(dot - (i === j ? scale * scale : 0)))
    }
  }
  return worst
}
