import { TensorInitError } from '../core/errors.ts'
import { DTYPES, FLOAT_DTYPES } from '../core/dtype.ts'
import type { InitializerEntry, ParamSpec, ResolvedParams } from './entry.ts'
import { numberParam } from './params.ts'
import { JAX_FAN, jaxFanRankMessage, jaxFans, normalizeAxis } from './fans.ts'
import { constant, hasZeroDim, roundedNormal, roundedUniform, truncNormal, varianceScaledRecipe } from './recipe-builders.ts'
import { type Recipe, orthogonalRecipe } from '../core/recipe.ts'

/**
 * The JAX family: jax.nn.initializers (jax/_src/nn/initializers.py, JAX 0.11), with JAX's
 * defaults, parameter names and fan rule (in_axis/out_axis/batch_axis, fan_geo_avg, no
 * max(1, fan) guard). Ids are `jax.<name>`; xavier_* and kaiming_* are JAX's own aliases of
 * glorot_* and he_*. JAX is purely key driven; here the key is the plan's key. Real dtypes only
 * (JAX's complex variants have no dtype in this service). Distribution of JAX, not its bits.
 */

const NOTE = 'Distribution of JAX, not its bits.'
const NORMAL_HOW = 'the MLX float32 standard normal of each element scaled in double, rounded once to the dtype'
const UNIFORM_HOW = 'a double uniform from one Threefry word per element, rounded once to the dtype'
const TRUNC_HOW = 'inverse CDF on the Threefry stream in double, rounded once to the dtype'

const list = (params: ResolvedParams, name: string): number[] => params[name] as number[]

const axisParams: readonly ParamSpec[] = [
  { name: 'in_axis', type: 'integer-list', default: [-2], description: 'Axis or axes of the input dimension (an int or a list of ints).' },
  { name: 'out_axis', type: 'integer-list', default: [-1], description: 'Axis or axes of the output dimension (an int or a list of ints).' },
  { name: 'batch_axis', type: 'integer-list', default: [], description: 'Axis or axes ignored by the fans (an int or a list of ints).' }
]

export const JAX_MODES = ['fan_in', 'fan_out', 'fan_avg', 'fan_geo_avg'] as const
export const JAX_DISTRIBUTIONS = ['truncated_normal', 'normal', 'uniform'] as const

/**
 * variance_scaling's init: variance = scale / denominator (fan_in, fan_out, their mean or, for
 * fan_geo_avg, sqrt(fan_in * fan_out)); truncated_normal: std = sqrt(variance) / 0.8796...,
 * truncated at 2 std; normal: std = sqrt(variance); uniform: U(-1, 1) * sqrt(3 variance).
 * JAX computes `variance` in the target dtype; here it is a double (the samplers round once).
 */
export function jaxVarianceScalingRecipe (shape: readonly number[], scale: number, mode: string, distribution: string, params: ResolvedParams): Recipe {
  const { fanIn, fanOut } = jaxFans(shape, list(params, 'in_axis'), list(params, 'out_axis'), list(params, 'batch_axis'))
  // JAX divides by the fan and raises ZeroDivisionError for zero-size dims; an empty tensor has
  // no values to scale, so it gets the same kind of recipe with zero width.
  const empty = hasZeroDim(shape)
  let denominator: number
  if (mode === 'fan_in') denominator = fanIn
  else if (mode === 'fan_out') denominator = fanOut
  else if (mode === 'fan_avg') denominator = (fanIn + fanOut) / 2
  else denominator = Math.sqrt(fanIn * fanOut)
  const variance = empty ? 0 : scale / denominator
  return varianceScaledRecipe(distribution as typeof JAX_DISTRIBUTIONS[number], variance)
}

/** What every fan-based entry (variance_scaling and its presets) shares: JAX's fan rule, float dtypes. */
const fanBased = {
  fan: JAX_FAN,
  dtypes: FLOAT_DTYPES,
  mlxExact: false,
  minRank: 2,
  rankMessage: jaxFanRankMessage
} as const

const variance: InitializerEntry = {
  id: 'jax.variance_scaling',
  family: 'jax',
  summary: `jax.nn.initializers.variance_scaling: std (after truncation, if any) sqrt(scale/n), n the fan the mode picks (fan_geo_avg = sqrt(fan_in*fan_out)); no max(1, fan) guard. ${NOTE}`,
  formula: `variance = scale / n; truncated_normal: w ~ N(0, sd^2) truncated to [-2 sd, 2 sd], sd = sqrt(variance)/0.87962566103423978; normal: w ~ N(0, variance); uniform: w ~ U(-l, l), l = sqrt(3 variance). ${TRUNC_HOW} / ${NORMAL_HOW} / ${UNIFORM_HOW}`,
  ...fanBased,
  params: [
    { name: 'scale', type: 'number', required: true, minimum: 0, description: 'Scaling factor (positive float).' },
    { name: 'mode', type: 'string', required: true, enum: JAX_MODES, description: 'fan_in, fan_out, fan_avg or fan_geo_avg.' },
    { name: 'distribution', type: 'string', required: true, enum: JAX_DISTRIBUTIONS, description: 'truncated_normal, normal or uniform.' },
    ...axisParams
  ],
  recipe: (shape, params) => jaxVarianceScalingRecipe(shape, numberParam(params, 'scale'), params.mode as string, params.distribution as string, params)
}

interface Preset { name: string, alias?: string, scale: number, mode: string, distribution: string, summary: string, formula: string }

const PRESETS: readonly Preset[] = [
  { name: 'glorot_uniform', alias: 'xavier_uniform', scale: 1, mode: 'fan_avg', distribution: 'uniform', summary: 'Glorot (Xavier) uniform: U(-l, l), l = sqrt(6/(fan_in+fan_out)).', formula: `w ~ U(-l, l), l = sqrt(3/((fan_in+fan_out)/2)): ${UNIFORM_HOW}` },
  { name: 'glorot_normal', alias: 'xavier_normal', scale: 1, mode: 'fan_avg', distribution: 'truncated_normal', summary: 'Glorot (Xavier) normal as JAX defines it: truncated, post-truncation std sqrt(2/(fan_in+fan_out)).', formula: `w ~ N(0, sd^2) truncated to [-2 sd, 2 sd], sd = sqrt(1/((fan_in+fan_out)/2))/0.87962566103423978: ${TRUNC_HOW}` },
  { name: 'lecun_uniform', scale: 1, mode: 'fan_in', distribution: 'uniform', summary: 'LeCun uniform: U(-l, l), l = sqrt(3/fan_in).', formula: `w ~ U(-l, l), l = sqrt(3/fan_in): ${UNIFORM_HOW}` },
  { name: 'lecun_normal', scale: 1, mode: 'fan_in', distribution: 'truncated_normal', summary: 'LeCun normal (Flax Dense/Conv default): truncated, post-truncation std sqrt(1/fan_in).', formula: `w ~ N(0, sd^2) truncated to [-2 sd, 2 sd], sd = sqrt(1/fan_in)/0.87962566103423978: ${TRUNC_HOW}` },
  { name: 'he_uniform', alias: 'kaiming_uniform', scale: 2, mode: 'fan_in', distribution: 'uniform', summary: 'He (Kaiming) uniform: U(-l, l), l = sqrt(6/fan_in).', formula: `w ~ U(-l, l), l = sqrt(6/fan_in): ${UNIFORM_HOW}` },
  { name: 'he_normal', alias: 'kaiming_normal', scale: 2, mode: 'fan_in', distribution: 'truncated_normal', summary: 'He (Kaiming) normal as JAX defines it: truncated, post-truncation std sqrt(2/fan_in).', formula: `w ~ N(0, sd^2) truncated to [-2 sd, 2 sd], sd = sqrt(2/fan_in)/0.87962566103423978: ${TRUNC_HOW}` }
]

const presets = PRESETS.map((p): InitializerEntry => ({
  id: `jax.${p.name}`,
  family: 'jax',
  ...(p.alias === undefined ? {} : { aliases: [`jax.${p.alias}`] }),
  summary: `jax.nn.initializers.${p.name}: ${p.summary} variance_scaling(${p.scale}, '${p.mode}', '${p.distribution}'). ${NOTE}`,
  formula: p.formula,
  ...fanBased,
  params: axisParams,
  recipe: (shape, params) => jaxVarianceScalingRecipe(shape, p.scale, p.mode, p.distribution, params)
}))

function product (values: readonly number[]): number {
  return values.reduce((a, b) => a * b, 1)
}

const orthogonal: InitializerEntry = {
  id: 'jax.orthogonal',
  family: 'jax',
  summary: 'jax.nn.initializers.orthogonal: with cols = shape[column_axis] and rows the product of the other dims, a (semi-)orthogonal rows x cols matrix times scale, its column index placed on column_axis. Orthogonal to 1e-6 and deterministic; not JAX\'s bits.',
  formula: 'q, r = qr(N(0,1)^(max x min)); q *= sign(diag(r)); Q = q or q^T (rows x cols); w = scale * moveaxis(reshape(Q, shape without column_axis + (cols,)), -1, column_axis)',
  params: [
    { name: 'scale', type: 'number', default: 1.0, description: 'Multiplier of the orthogonal matrix.' },
    { name: 'column_axis', type: 'integer', default: -1, description: 'The axis that contains the columns that should be orthogonal.' }
  ],
  dtypes: FLOAT_DTYPES,
  mlxExact: false,
  minRank: 2,
  rankMessage: () => 'orthogonal initializer requires at least a 2D shape',
  recipe (shape, params) {
    const rank = shape.length
    const axis = normalizeAxis(numberParam(params, 'column_axis'), rank, '/params/column_axis', 'column_axis')
    const cols = shape[axis]!
    const rows = cols === 0 ? 0 : product(shape) / cols
    const scale = numberParam(params, 'scale')
    if (axis === rank - 1) return orthogonalRecipe(rows, cols, scale, false)
    if (axis === 0) return orthogonalRecipe(rows, cols, scale, true)
    orthogonalRecipe(rows, cols, scale, false) // the size limit
    return { kind: 'orthogonal-moved', gain: scale, rows, cols, inner: product(shape.slice(axis + 1)) }
  }
}

const deltaOrthogonal: InitializerEntry = {
  id: 'jax.delta_orthogonal',
  family: 'jax',
  summary: 'jax.nn.initializers.delta_orthogonal: a 3-D, 4-D or 5-D conv kernel (k..., in, out) with in <= out that is zero except its spatial centre ((k-1)//2 per dim), which holds an orthogonal (in, out) matrix times scale (Xiao et al. 2018). Orthogonal to 1e-6 and deterministic; not JAX\'s bits.',
  formula: 'w = 0; w[(k1-1)//2, ..., :, :] = scale * orthogonal(column_axis)(shape[-2:])',
  params: [
    { name: 'scale', type: 'number', default: 1.0, description: 'Multiplier of the orthogonal matrix.' },
    { name: 'column_axis', type: 'integer', default: -1, description: 'Axis of the (in, out) matrix whose columns are orthogonal (-2..1).' }
  ],
  dtypes: FLOAT_DTYPES,
  mlxExact: false,
  minRank: 3,
  maxRank: 5,
  rankMessage: () => 'Delta orthogonal initializer requires a 3D, 4D or 5D shape.',
  recipe (shape, params) {
    const rank = shape.length
    const fanIn = shape[rank - 2]!
    const fanOut = shape[rank - 1]!
    if (fanOut < fanIn) throw new TensorInitError('invalid-shape', '`fan_in` must be less or equal than `fan_out`. ', '/shape')
    const axis = normalizeAxis(numberParam(params, 'column_axis'), 2, '/params/column_axis', 'column_axis')
    const scale = numberParam(params, 'scale')
    // column_axis -1 (1): Q is the in x out matrix itself; -2 (0): Q is out x in and the (in, out)
    // block is its transpose (moveaxis of the column axis to the front).
    const transpose = axis === 0
    const view = transpose ? orthogonalRecipe(fanOut, fanIn, scale, true) : orthogonalRecipe(fanIn, fanOut, scale, false)
    let center = 0
    for (let j = 0; j < rank - 2; j++) center = center * shape[j]! + Math.max(0, Math.floor((shape[j]! - 1) / 2))
    return { kind: 'delta-orthogonal', scale, rows: view.rows, cols: view.cols, transpose, center }
  }
}

const NO_KEY = 'The key is ignored (no randomness).'

export const jaxInitializers: readonly InitializerEntry[] = [
  {
    id: 'jax.zeros',
    family: 'jax',
    summary: `jax.nn.initializers.zeros: every element 0. ${NO_KEY}`,
    formula: 'w = 0',
    params: [],
    dtypes: DTYPES,
    mlxExact: false,
    recipe: () => ({ kind: 'constant', value: 0 })
  },
  {
    id: 'jax.ones',
    family: 'jax',
    summary: `jax.nn.initializers.ones: every element 1. ${NO_KEY}`,
    formula: 'w = 1',
    params: [],
    dtypes: DTYPES,
    mlxExact: false,
    recipe: () => ({ kind: 'constant', value: 1 })
  },
  {
    id: 'jax.constant',
    family: 'jax',
    summary: `jax.nn.initializers.constant: every element equals value. ${NO_KEY}`,
    formula: 'w = value',
    params: [{ name: 'value', type: 'number', required: true, description: 'The constant value with which to fill the array.' }],
    dtypes: DTYPES,
    mlxExact: false,
    recipe: (_shape, params, dtype) => constant(numberParam(params, 'value'), dtype, '/params/value')
  },
  {
    id: 'jax.uniform',
    family: 'jax',
    summary: `jax.nn.initializers.uniform: U[0, scale), NOT symmetric around 0. ${NOTE}`,
    formula: `w ~ U(0, scale): ${UNIFORM_HOW}`,
    params: [{ name: 'scale', type: 'number', default: 1e-2, description: 'The upper bound of the random distribution.' }],
    dtypes: FLOAT_DTYPES,
    mlxExact: false,
    recipe: (_shape, params) => roundedUniform(0, numberParam(params, 'scale'))
  },
  {
    id: 'jax.normal',
    family: 'jax',
    summary: `jax.nn.initializers.normal: N(0, stddev^2). ${NOTE}`,
    formula: `w ~ N(0, stddev^2): ${NORMAL_HOW}`,
    params: [{ name: 'stddev', type: 'number', default: 1e-2, minimum: 0, description: 'The standard deviation of the distribution.' }],
    dtypes: FLOAT_DTYPES,
    mlxExact: false,
    recipe: (_shape, params) => roundedNormal(0, numberParam(params, 'stddev'))
  },
  {
    id: 'jax.truncated_normal',
    family: 'jax',
    summary: `jax.nn.initializers.truncated_normal: N(0, stddev^2) truncated to [lower*stddev, upper*stddev]; bounds in units of stddev, stddev before truncation (no 0.8796 correction). ${NOTE}`,
    formula: `w ~ N(0, stddev^2) truncated to [lower * stddev, upper * stddev]: ${TRUNC_HOW}`,
    params: [
      { name: 'stddev', type: 'number', default: 1e-2, minimum: 0, description: 'The standard deviation of the untruncated distribution.' },
      { name: 'lower', type: 'number', default: -2.0, description: 'Lower truncation bound in units of stddev.' },
      { name: 'upper', type: 'number', default: 2.0, description: 'Upper truncation bound in units of stddev.' }
    ],
    dtypes: FLOAT_DTYPES,
    mlxExact: false,
    recipe (_shape, params) {
      const stddev = numberParam(params, 'stddev')
      const lower = numberParam(params, 'lower')
      const upper = numberParam(params, 'upper')
      if (lower > upper) throw new TensorInitError('invalid-parameter', `lower (${lower}) must not exceed upper (${upper}).`, '/params/lower')
      return truncNormal(0, stddev, lower * stddev, upper * stddev, '/params/lower')
    }
  },
  variance,
  ...presets,
  orthogonal,
  deltaOrthogonal
]
