import { FLOAT_DTYPES } from '../core/dtype.ts'
import type { InitializerEntry, KerasConfig, ParamSpec, ResolvedParams } from './entry.ts'
import { KERAS_FAN, kerasFans } from './fans.ts'
import { varianceScaledRecipe } from './recipe-builders.ts'
import { kerasObject, kerasSeed } from './keras-object.ts'
import type { Recipe } from '../core/recipe.ts'

/**
 * Keras 3 VarianceScaling and its presets (keras/src/initializers/random_initializers.py):
 *
 *   s = scale / max(1, fan_in | fan_out | (fan_in + fan_out) / 2)
 *   truncated_normal:   stddev = sqrt(s) / 0.87962566103423978, truncated to +-2 stddev
 *   untruncated_normal: stddev = sqrt(s)
 *   uniform:            limit = sqrt(3 s), U(-limit, limit)
 *
 * 0.87962566103423978 is the std of N(0, 1) truncated to [-2, 2], so the post-truncation std is
 * sqrt(s). "normal" is Keras's alias of truncated_normal (its constructor lower-cases and maps it).
 * The arithmetic is done in double like Keras's Python; the samplers then draw in double from the
 * Threefry stream and round once to the dtype (distribution of Keras, not its bits).
 */

export const KERAS_MODES = ['fan_in', 'fan_out', 'fan_avg'] as const
export const KERAS_DISTRIBUTIONS = ['truncated_normal', 'untruncated_normal', 'uniform', 'normal'] as const

const NOTE = 'Distribution of Keras, not its bits.'

export const inputAxesParam: ParamSpec = {
  name: 'input_axes',
  type: 'integer-list',
  nullable: true,
  default: null,
  description: 'Axes whose sizes multiply to fan_in (Keras 3.15+). As in Keras, used only when output_axes is given too.'
}

export const outputAxesParam: ParamSpec = {
  name: 'output_axes',
  type: 'integer-list',
  nullable: true,
  default: null,
  description: 'Axes whose sizes multiply to fan_out (Keras 3.15+). As in Keras, used only when input_axes is given too.'
}

const axes = (params: ResolvedParams, name: string): number[] | null => (params[name] ?? null) as number[] | null

/** The recipe VarianceScaling(scale, mode, distribution, input_axes, output_axes) draws from. */
export function varianceScalingRecipe (shape: readonly number[], scale: number, mode: string, distribution: string,
  inputAxes: readonly number[] | null, outputAxes: readonly number[] | null): Recipe {
  const { fanIn, fanOut } = kerasFans(shape, inputAxes, outputAxes)
  let s = scale
  if (mode === 'fan_in') s /= Math.max(1.0, fanIn)
  else if (mode === 'fan_out') s /= Math.max(1.0, fanOut)
  else s /= Math.max(1.0, (fanIn + fanOut) / 2.0)
  // Keras's "normal" is its truncated_normal, and its untruncated_normal is the plain normal.
  if (distribution === 'truncated_normal' || distribution === 'normal') return varianceScaledRecipe('truncated_normal', s)
  return varianceScaledRecipe(distribution === 'untruncated_normal' ? 'normal' : 'uniform', s)
}

const FORMULAS: Record<string, string> = {
  truncated_normal: 'w ~ N(0, sd^2) truncated to [-2 sd, 2 sd], sd = sqrt(s)/0.87962566103423978 (post-truncation std sqrt(s))',
  untruncated_normal: 'w ~ N(0, s)',
  uniform: 'w ~ U(-l, l), l = sqrt(3 s)'
}

const SAMPLING = 'Sampled by inverse CDF (truncated), the MLX float32 normal scaled in double (untruncated) or a double uniform, from the Threefry stream, rounded once to the dtype.'

export const varianceScaling: InitializerEntry = {
  id: 'keras.VarianceScaling',
  family: 'keras',
  aliases: ['keras.variance_scaling'],
  summary: `Keras VarianceScaling: std (after truncation, if any) sqrt(scale/n), n the fan the mode picks, at least 1. ${NOTE}`,
  formula: `s = scale / max(1, fan); truncated_normal: ${FORMULAS.truncated_normal!}; untruncated_normal: ${FORMULAS.untruncated_normal!}; uniform: ${FORMULAS.uniform!}. ${SAMPLING}`,
  fan: KERAS_FAN,
  params: [
    { name: 'scale', type: 'number', default: 1.0, exclusiveMinimum: 0, description: 'Scaling factor (positive float).' },
    { name: 'mode', type: 'string', enum: KERAS_MODES, default: 'fan_in', description: 'Which fan n is: fan_in, fan_out or their mean fan_avg.' },
    { name: 'distribution', type: 'string', enum: KERAS_DISTRIBUTIONS, default: 'truncated_normal', description: 'truncated_normal (alias normal), untruncated_normal or uniform.' },
    inputAxesParam,
    outputAxesParam
  ],
  dtypes: FLOAT_DTYPES,
  mlxExact: false,
  recipe: (shape, params) => varianceScalingRecipe(shape, params.scale as number, params.mode as string, params.distribution as string,
    axes(params, 'input_axes'), axes(params, 'output_axes')),
  kerasConfig: (params, seed): KerasConfig => kerasObject('VarianceScaling', {
    seed: kerasSeed(seed),
    scale: params.scale,
    mode: params.mode,
    distribution: params.distribution === 'normal' ? 'truncated_normal' : params.distribution,
    input_axes: params.input_axes ?? null,
    output_axes: params.output_axes ?? null
  })
}

interface Preset {
  className: string
  snake: string
  scale: number
  mode: typeof KERAS_MODES[number]
  distribution: 'truncated_normal' | 'uniform'
  summary: string
  formula: string
}

const PRESETS: readonly Preset[] = [
  { className: 'GlorotNormal', snake: 'glorot_normal', scale: 1, mode: 'fan_avg', distribution: 'truncated_normal', summary: 'Glorot (Xavier) normal as Keras defines it: truncated normal with post-truncation std sqrt(2/(fan_in+fan_out)), not the untruncated MLX/PyTorch glorot/xavier normal.', formula: 'w ~ N(0, sd^2) truncated to [-2 sd, 2 sd], sd = sqrt(1/max(1, (fan_in+fan_out)/2))/0.87962566103423978' },
  { className: 'GlorotUniform', snake: 'glorot_uniform', scale: 1, mode: 'fan_avg', distribution: 'uniform', summary: 'Glorot (Xavier) uniform: U(-l, l), l = sqrt(6/(fan_in+fan_out)).', formula: 'w ~ U(-l, l), l = sqrt(3/max(1, (fan_in+fan_out)/2))' },
  { className: 'HeNormal', snake: 'he_normal', scale: 2, mode: 'fan_in', distribution: 'truncated_normal', summary: 'He normal as Keras defines it: truncated normal with post-truncation std sqrt(2/fan_in); MLX he_normal with its default gain is LeCun, not this.', formula: 'w ~ N(0, sd^2) truncated to [-2 sd, 2 sd], sd = sqrt(2/max(1, fan_in))/0.87962566103423978' },
  { className: 'HeUniform', snake: 'he_uniform', scale: 2, mode: 'fan_in', distribution: 'uniform', summary: 'He uniform: U(-l, l), l = sqrt(6/fan_in).', formula: 'w ~ U(-l, l), l = sqrt(6/max(1, fan_in))' },
  { className: 'LecunNormal', snake: 'lecun_normal', scale: 1, mode: 'fan_in', distribution: 'truncated_normal', summary: 'LeCun normal: truncated normal with post-truncation std sqrt(1/fan_in).', formula: 'w ~ N(0, sd^2) truncated to [-2 sd, 2 sd], sd = sqrt(1/max(1, fan_in))/0.87962566103423978' },
  { className: 'LecunUniform', snake: 'lecun_uniform', scale: 1, mode: 'fan_in', distribution: 'uniform', summary: 'LeCun uniform: U(-l, l), l = sqrt(3/fan_in).', formula: 'w ~ U(-l, l), l = sqrt(3/max(1, fan_in))' }
]

function preset (p: Preset): InitializerEntry {
  return {
    id: `keras.${p.className}`,
    family: 'keras',
    aliases: [`keras.${p.snake}`],
    summary: `${p.summary} VarianceScaling(scale=${p.scale}, mode='${p.mode}', distribution='${p.distribution}'). ${NOTE}`,
    formula: `${p.formula}. ${SAMPLING}`,
    fan: KERAS_FAN,
    params: [inputAxesParam, outputAxesParam],
    dtypes: FLOAT_DTYPES,
    mlxExact: false,
    recipe: (shape, params) => varianceScalingRecipe(shape, p.scale, p.mode, p.distribution, axes(params, 'input_axes'), axes(params, 'output_axes')),
    kerasConfig: (params, seed) => kerasObject(p.className, {
      seed: kerasSeed(seed),
      input_axes: params.input_axes ?? null,
      output_axes: params.output_axes ?? null
    })
  }
}

export const varianceScalingPresets: readonly InitializerEntry[] = PRESETS.map(preset)
