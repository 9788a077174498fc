import { TensorInitError } from '../core/errors.ts'
import { type DType, integerRange, isIntegerDType } from '../core/dtype.ts'
import type { ConstantRecipe, EyeRecipe, Recipe, RoundedNormalRecipe, RoundedUniformRecipe, TruncNormalRecipe } from '../core/recipe.ts'

/**
 * Recipe builders shared by the catalog's families: each returns a Recipe (the vocabulary in
 * src/core/recipe.ts) after the checks that keep a request from ever reaching an engine with
 * parameters the sampler cannot honour.
 */

/** Element-free tensors have zero fans; the frameworks divide by them (or skip the work). */
export function hasZeroDim (shape: readonly number[]): boolean {
  return shape.includes(0)
}

/** Standard units past which an interval's normal probability underflows double (Cody's pnorm ends at 37.5). */
const MAX_SIGMA = 37

/**
 * N(mean, std^2) truncated to the closed [low, high] (absolute bounds). The interval must lie
 * within 37 std of the mean on at least one side: beyond that its probability is below 1e-299 and
 * not representable, so no sampler (the frameworks' included) can draw from it faithfully.
 */
export function truncNormal (mean: number, std: number, low: number, high: number, field = '/params'): TruncNormalRecipe {
  if (!(low <= high)) {
    throw new TensorInitError('invalid-parameter', `The truncation interval is empty: lower bound ${low} > upper bound ${high}.`, field)
  }
  if (std > 0 && ((low - mean) / std > MAX_SIGMA || (high - mean) / std < -MAX_SIGMA)) {
    throw new TensorInitError('invalid-parameter',
      `The truncation interval [${low}, ${high}] lies more than ${MAX_SIGMA} standard deviations from the mean ${mean}; its probability underflows double precision.`, field)
  }
  return { kind: 'trunc-normal', mean, std, low, high }
}

export function roundedNormal (mean: number, std: number): RoundedNormalRecipe {
  return { kind: 'rounded-normal', mean, std }
}

/** U[low, high): the width must be a finite double (torch: "uniform_ expects to-from <= max double"). */
export function roundedUniform (low: number, high: number, field = '/params'): RoundedUniformRecipe {
  if (!Number.isFinite(high - low)) {
    throw new TensorInitError('invalid-parameter', `The uniform range [${low}, ${high}) is wider than the largest double.`, field)
  }
  return { kind: 'rounded-uniform', low, high }
}

/**
 * The std of N(0, 1) truncated to [-2, 2]: Keras and JAX divide by it so that the truncated
 * normal of variance_scaling has the requested std after truncation.
 */
export const TRUNCATION_STD = 0.87962566103423978

/**
 * The last step of Keras's and JAX's variance_scaling, the same in both once the variance is known
 * (keras/src/initializers/random_initializers.py, jax/_src/nn/initializers.py):
 * truncated_normal: stddev = sqrt(variance) / 0.8796..., truncated to +-2 stddev; normal
 * (Keras's untruncated_normal): stddev = sqrt(variance); uniform: U(-l, l), l = sqrt(3 variance).
 */
export function varianceScaledRecipe (distribution: 'truncated_normal' | 'normal' | 'uniform', variance: number): Recipe {
  if (distribution === 'truncated_normal') {
    const stddev = Math.sqrt(variance) / TRUNCATION_STD
    return truncNormal(0.0, stddev, -2 * stddev, 2 * stddev)
  }
  if (distribution === 'normal') return roundedNormal(0.0, Math.sqrt(variance))
  const limit = Math.sqrt(3.0 * variance)
  return roundedUniform(-limit, limit)
}

/**
 * A fill value must be exactly representable in an integer or bool dtype. The frameworks would
 * truncate 0.5 to 0 silently (Keras ops.cast, torch fill_); a 400 says so instead. Values arrive
 * as JSON numbers, so the 64-bit dtypes take the safe integers only.
 */
export function checkValueFits (value: number, dtype: DType, field: string): void {
  if (!isIntegerDType(dtype)) return
  const [min, max] = integerRange(dtype)
  const low = Math.max(Number(min), Number.MIN_SAFE_INTEGER)
  const high = Math.min(Number(max), Number.MAX_SAFE_INTEGER)
  if (!Number.isInteger(value) || value < low || value > high) {
    throw new TensorInitError('invalid-parameter',
      `${value} is not representable in ${dtype}: integer dtypes need an integer in [${low}, ${high}]${dtype.endsWith('64') ? ' (a safe JSON integer)' : ''}.`, field)
  }
}

export function constant (value: number, dtype: DType, field: string): ConstantRecipe {
  checkValueFits(value, dtype, field)
  return { kind: 'constant', value }
}

export function eye (value: number, dtype: DType, field: string): EyeRecipe {
  checkValueFits(value, dtype, field)
  return { kind: 'eye', value }
}

/** Python's tuple repr, for error messages that quote a framework's own text: (3,) and (2, 3). */
export function pythonShape (shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`
}
