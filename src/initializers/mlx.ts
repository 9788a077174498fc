import { TensorInitError } from '../core/errors.ts'
import { DTYPES, FLOAT_DTYPES, type DType, integerRange, isIntegerDType } from '../core/dtype.ts'
import type { InitializerEntry, ParamSpec, ResolvedParams } from './entry.ts'
import { numberParam } from './params.ts'
import { MLX_FAN, mlxFanRankMessage, mlxFans } from './fans.ts'
import { hasZeroDim } from './recipe-builders.ts'
import { orthogonalRecipe } from '../core/recipe.ts'

/**
 * The MLX family: `mlx.nn.init` as of MLX 0.32 (python/mlx/nn/init.py; spec b.14). Unprefixed
 * catalog ids are these. Each reduces to the same sampler call MLX makes, with std/limit computed
 * in double exactly as Python does before MLX converts them to float32 (spec b.0, b.14).
 */

const gainParam: ParamSpec = {
  name: 'gain', type: 'number', default: 1.0, description: 'Multiplier applied to the standard deviation or limit.'
}
const modeParam: ParamSpec = {
  name: 'mode', type: 'string', enum: ['fan_in', 'fan_out'], default: 'fan_in', description: 'Which fan scales the distribution.'
}

/** What every fan-based entry (glorot_*, he_*) shares: MLX's fan rule, MLX dtypes, MLX's bits. */
const fanBased = {
  fan: MLX_FAN,
  dtypes: FLOAT_DTYPES,
  mlxExact: true,
  minRank: 2,
  rankMessage: mlxFanRankMessage
} as const

/**
 * gain * sqrt(numerator / (fan_in + fan_out)): Glorot's std (numerator 2) and limit (6), computed
 * in double as init.py does; 0 for an element-free tensor, whose fans may be 0.
 */
function glorotScale (shape: readonly number[], params: ResolvedParams, numerator: number): number {
  const { fanIn, fanOut } = mlxFans(shape)
  return hasZeroDim(shape) ? 0 : numberParam(params, 'gain') * Math.sqrt(numerator / (fanIn + fanOut))
}

function fanFor (shape: readonly number[], mode: string): number {
  const { fanIn, fanOut } = mlxFans(shape)
  return mode === 'fan_out' ? fanOut : fanIn
}

function checkConstantFits (value: number, dtype: DType): void {
  if (dtype === 'bool') {
    if (value !== 0 && value !== 1) {
      throw new TensorInitError('invalid-parameter', `A bool constant must be 0 or 1, got ${value}.`, '/params/value')
    }
    return
  }
  if (isIntegerDType(dtype)) {
    // The message quotes the dtype's bounds as doubles (2^63 - 1 prints as 9223372036854775808).
    const [low, high] = integerRange(dtype)
    const min = Number(low)
    const max = Number(high)
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new TensorInitError('invalid-parameter',
        `A ${dtype} constant must be an integer in [${min}, ${max}] (and a safe JSON integer), got ${value}.`, '/params/value')
    }
  }
}

export const mlxInitializers: readonly InitializerEntry[] = [
  {
    id: 'constant',
    family: 'mlx',
    summary: 'Every element equals `value` (mlx.nn.init.constant).',
    formula: 'w = value',
    params: [{ name: 'value', type: 'number', required: true, description: 'The fill value.' }],
    dtypes: DTYPES,
    mlxExact: true,
    recipe (_shape, params, dtype) {
      checkConstantFits(numberParam(params, 'value'), dtype)
      return { kind: 'constant', value: numberParam(params, 'value') }
    }
  },
  {
    id: 'normal',
    family: 'mlx',
    summary: 'Normal distribution N(mean, std^2) (mlx.nn.init.normal).',
    formula: 'w ~ N(mean, std^2)',
    params: [
      { name: 'mean', type: 'number', default: 0.0, description: 'Mean of the distribution.' },
      { name: 'std', type: 'number', default: 1.0, minimum: 0, description: 'Standard deviation.' }
    ],
    dtypes: FLOAT_DTYPES,
    mlxExact: true,
    recipe: (_shape, params) => ({ kind: 'normal', loc: numberParam(params, 'mean'), scale: numberParam(params, 'std') })
  },
  {
    id: 'uniform',
    family: 'mlx',
    summary: 'Uniform distribution on [low, high) (mlx.nn.init.uniform).',
    formula: 'w ~ U(low, high)',
    params: [
      { name: 'low', type: 'number', default: 0.0, description: 'Lower bound.' },
      { name: 'high', type: 'number', default: 1.0, description: 'Upper bound.' }
    ],
    dtypes: FLOAT_DTYPES,
    mlxExact: true,
    recipe: (_shape, params) => ({ kind: 'uniform', low: numberParam(params, 'low'), high: numberParam(params, 'high') })
  },
  {
    id: 'identity',
    family: 'mlx',
    summary: 'Identity matrix; the shape must be square 2-D (mlx.nn.init.identity).',
    formula: 'w = I(n)',
    params: [],
    dtypes: DTYPES,
    mlxExact: true,
    recipe (shape) {
      if (shape.length !== 2 || shape[0] !== shape[1]) {
        throw new TensorInitError('not-square',
          `The input array must be a square matrix but got shape (${shape.join(', ')}).`, '/shape')
      }
      return { kind: 'eye', value: 1 }
    }
  },
  {
    id: 'glorot_normal',
    family: 'mlx',
    summary: 'Glorot (Xavier) normal, untruncated (mlx.nn.init.glorot_normal).',
    formula: 'w ~ N(0, (gain*sqrt(2/(fan_in+fan_out)))^2)',
    ...fanBased,
    params: [gainParam],
    recipe: (shape, params) => ({ kind: 'normal', scale: glorotScale(shape, params, 2.0) })
  },
  {
    id: 'glorot_uniform',
    family: 'mlx',
    summary: 'Glorot (Xavier) uniform (mlx.nn.init.glorot_uniform).',
    formula: 'w ~ U(-l, l), l = gain*sqrt(6/(fan_in+fan_out))',
    ...fanBased,
    params: [gainParam],
    recipe (shape, params) {
      const limit = glorotScale(shape, params, 6.0)
      return { kind: 'uniform', low: -limit, high: limit }
    }
  },
  {
    id: 'he_normal',
    family: 'mlx',
    summary: 'He normal as MLX defines it: std = gain/sqrt(fan); with the default gain 1 this is LeCun normal, not Keras HeNormal (mlx.nn.init.he_normal).',
    formula: 'w ~ N(0, (gain/sqrt(fan))^2)',
    ...fanBased,
    params: [modeParam, gainParam],
    recipe (shape, params) {
      const fan = fanFor(shape, params.mode as string)
      const std = hasZeroDim(shape) ? 0 : numberParam(params, 'gain') / Math.sqrt(fan)
      return { kind: 'normal', scale: std }
    }
  },
  {
    id: 'he_uniform',
    family: 'mlx',
    summary: 'He uniform as MLX defines it: limit = gain*sqrt(3/fan) (mlx.nn.init.he_uniform).',
    formula: 'w ~ U(-l, l), l = gain*sqrt(3/fan)',
    ...fanBased,
    params: [modeParam, gainParam],
    recipe (shape, params) {
      const fan = fanFor(shape, params.mode as string)
      const limit = hasZeroDim(shape) ? 0 : numberParam(params, 'gain') * Math.sqrt(3.0 / fan)
      return { kind: 'uniform', low: -limit, high: limit }
    }
  },
  {
    id: 'sparse',
    family: 'mlx',
    summary: 'Sparse 2-D matrix: ceil(sparsity*cols) zeros per row, the rest N(mean, std^2) (mlx.nn.init.sparse). Consumes two keys.',
    formula: 'w ~ N(mean, std^2), then ceil(sparsity*cols) entries of each row set to 0',
    params: [
      { name: 'sparsity', type: 'number', required: true, minimum: 0, maximum: 1, description: 'Fraction of each row set to zero.' },
      { name: 'mean', type: 'number', default: 0.0, description: 'Mean of the non-zero entries.' },
      { name: 'std', type: 'number', default: 1.0, minimum: 0, description: 'Standard deviation of the non-zero entries.' }
    ],
    dtypes: FLOAT_DTYPES,
    mlxExact: true,
    minRank: 2,
    maxRank: 2,
    rankMessage: () => 'Only tensors with 2 dimensions are supported',
    recipe: (_shape, params) => ({
      kind: 'sparse', sparsity: numberParam(params, 'sparsity'), loc: numberParam(params, 'mean'), scale: numberParam(params, 'std')
    })
  },
  {
    id: 'orthogonal',
    family: 'mlx',
    summary: 'Orthogonal 2-D matrix from the QR decomposition of a normal matrix, times gain (mlx.nn.init.orthogonal). Orthogonal to 1e-6 and deterministic, but not bit-equal to MLX (LAPACK QR is not reproducible).',
    formula: 'q, r = qr(N(0,1)^(n x n)), n = max(rows, cols); w = gain * (q * sign(diag(r)))[:rows, :cols]',
    params: [gainParam],
    dtypes: FLOAT_DTYPES,
    mlxExact: false,
    minRank: 2,
    maxRank: 2,
    rankMessage: (rank) => `Orthogonal initialization requires a 2D array but got a ${rank}D array.`,
    recipe: (shape, params) => orthogonalRecipe(shape[0] as number, shape[1] as number, numberParam(params, 'gain'), false)
  }
]
