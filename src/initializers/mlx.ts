import { TensorInitError } from '../core/errors.ts'
import { DTYPES, FLOAT_DTYPES, type DType } from '../core/dtype.ts'
import type { InitializerEntry, ParamSpec, ResolvedParams } from './entry.ts'
import { mlxFans } from './fans.ts'
import { orthogonalRecipe } from '../core/recipe.ts'

/**
 * The MLX family: `mlx.nn.init` as of MLX 0.32 (python/mlx/nn/init.py; spec b.14). Unprefixed
 * catalog ids are these. Each reduces to the same sampler call MLX makes, with std/limit computed
 * in double exactly as Python does before MLX converts them to float32 (spec b.0, b.14).
 */

const FAN = 'MLX layout (out, ..., in): fan_in = shape[-1]*rf, fan_out = shape[0]*rf, rf = prod(shape[1:-1])'

const gainParam: ParamSpec = {
  name: 'gain', type: 'number', default: 1.0, description: 'Multiplier applied to the standard deviation or limit.'
}
const modeParam: ParamSpec = {
  name: 'mode', type: 'string', enum: ['fan_in', 'fan_out'], default: 'fan_in', description: 'Which fan scales the distribution.'
}

const fanRankMessage = (rank: number): string =>
  `Glorot / He initialization requires at least 2 dimensional input but input with ${rank} dimensions.`

const num = (params: ResolvedParams, name: string): number => params[name] as number

function fanFor (shape: readonly number[], mode: string): number {
  const { fanIn, fanOut } = mlxFans(shape)
  return mode === 'fan_out' ? fanOut : fanIn
}

/** Element-free tensors (a zero dimension) have zero fans; MLX returns an empty array, and so do we. */
function hasZeroDim (shape: readonly number[]): boolean {
  return shape.includes(0)
}

function checkConstantFits (value: number, dtype: DType): void {
  if (dtype === 'bool') {
    if (value !== 0 && value !== 1) {
      throw new TensorInitError('invalid-parameter', `A bool constant must be 0 or 1, got ${value}.`, '/params/value')
    }
    return
  }
  if (dtype.startsWith('int') || dtype.startsWith('uint')) {
    const bits = Number(dtype.replace(/^u?int/, ''))
    const signed = dtype.startsWith('int')
    const min = signed ? -(2 ** (bits - 1)) : 0
    const max = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1
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
      checkConstantFits(num(params, 'value'), dtype)
      return { kind: 'constant', value: num(params, 'value') }
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
    recipe: (_shape, params) => ({ kind: 'normal', loc: num(params, 'mean'), scale: num(params, 'std') })
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
    recipe: (_shape, params) => ({ kind: 'uniform', low: num(params, 'low'), high: num(params, 'high') })
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
    fan: FAN,
    params: [gainParam],
    dtypes: FLOAT_DTYPES,
    mlxExact: true,
    minRank: 2,
    rankMessage: fanRankMessage,
    recipe (shape, params) {
      const { fanIn, fanOut } = mlxFans(shape)
      const std = hasZeroDim(shape) ? 0 : num(params, 'gain') * Math.sqrt(2.0 / (fanIn + fanOut))
      return { kind: 'normal', scale: std }
    }
  },
  {
    id: 'glorot_uniform',
    family: 'mlx',
    summary: 'Glorot (Xavier) uniform (mlx.nn.init.glorot_uniform).',
    formula: 'w ~ U(-l, l), l = gain*sqrt(6/(fan_in+fan_out))',
    fan: FAN,
    params: [gainParam],
    dtypes: FLOAT_DTYPES,
    mlxExact: true,
    minRank: 2,
    rankMessage: fanRankMessage,
    recipe (shape, params) {
      const { fanIn, fanOut } = mlxFans(shape)
      const limit = hasZeroDim(shape) ? 0 : num(params, 'gain') * Math.sqrt(6.0 / (fanIn + fanOut))
      return { kind: 'uniform', low: -limit, high: limit }
    }
  },
  {
    id: 'he_normal',
    family: 'mlx',
    summary: 'He normal as MLX defines it: std = gain/sqrt(fan); with the default gain 1 this is LeCun normal, not Keras HeNormal (mlx.nn.init.he_normal).',
    formula: 'w ~ N(0, (gain/sqrt(fan))^2)',
    fan: FAN,
    params: [modeParam, gainParam],
    dtypes: FLOAT_DTYPES,
    mlxExact: true,
    minRank: 2,
    rankMessage: fanRankMessage,
    recipe (shape, params) {
      const fan = fanFor(shape, params.mode as string)
      const std = hasZeroDim(shape) ? 0 : num(params, 'gain') / Math.sqrt(fan)
      return { kind: 'normal', scale: std }
    }
  },
  {
    id: 'he_uniform',
    family: 'mlx',
    summary: 'He uniform as MLX defines it: limit = gain*sqrt(3/fan) (mlx.nn.init.he_uniform).',
    formula: 'w ~ U(-l, l), l = gain*sqrt(3/fan)',
    fan: FAN,
    params: [modeParam, gainParam],
    dtypes: FLOAT_DTYPES,
    mlxExact: true,
    minRank: 2,
    rankMessage: fanRankMessage,
    recipe (shape, params) {
      const fan = fanFor(shape, params.mode as string)
      const limit = hasZeroDim(shape) ? 0 : num(params, 'gain') * Math.sqrt(3.0 / fan)
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
      kind: 'sparse', sparsity: num(params, 'sparsity'), loc: num(params, 'mean'), scale: num(params, 'std')
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
    recipe: (shape, params) => orthogonalRecipe(shape[0] as number, shape[1] as number, num(params, 'gain'), false)
  }
]
