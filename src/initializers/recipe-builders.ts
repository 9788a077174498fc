import { TensorInitError } from '../core/errors.ts'
import type { DType } from '../core/dtype.ts'
import type { ConstantRecipe, EyeRecipe, RoundedNormalRecipe, RoundedUniformRecipe, TruncNormalRecipe } from '../core/recipe.ts'

/**
 * Recipe builders shared by the Keras, PyTorch and JAX families, with the checks that keep a
 * request from ever reaching an engine with parameters the sampler cannot honour.
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

const INTEGER_RANGE: Partial<Record<DType, [number, number]>> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 4294967295],
  uint64: [0, Number.MAX_SAFE_INTEGER],
  bool: [0, 1]
}

/**
 * A fill value must be exactly representable in an integer or bool dtype. The frameworks would
 * truncate 0.5 to 0 silently (Keras ops.cast, torch fill_); a 400 says so instead.
 */
export function checkValueFits (value: number, dtype: DType, field: string): void {
  const range = INTEGER_RANGE[dtype]
  if (range === undefined) return
  if (!Number.isInteger(value) || value < range[0] || value > range[1]) {
    throw new TensorInitError('invalid-parameter',
      `${value} is not representable in ${dtype}: integer dtypes need an integer in [${range[0]}, ${range[1]}]${dtype.endsWith('64') ? ' (a safe JSON integer)' : ''}.`, field)
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
