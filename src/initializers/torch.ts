import { TensorInitError } from '../core/errors.ts'
import { DTYPES, FLOAT_DTYPES } from '../core/dtype.ts'
import type { InitializerEntry, ParamSpec, ResolvedParams } from './entry.ts'
import { numberParam } from './params.ts'
import { TORCH_FAN, torchFanRankMessage, torchFans } from './fans.ts'
import { constant, hasZeroDim, roundedNormal, roundedUniform, truncNormal } from './recipe-builders.ts'
import { NONLINEARITIES, calculateGain } from './gains.ts'
import { orthogonalRecipe } from '../core/recipe.ts'

/**
 * The PyTorch family: every torch.nn.init function (torch/nn/init.py, main after 2.12), with
 * torch's defaults, parameter names, (out, in, *k) fans, calculate_gain table and error texts.
 * Ids are `torch.<name>_`; the deprecated non-underscore names resolve to the same entries. The
 * promise is torch's distribution, not its bits (torch's own bits differ between CPU and CUDA).
 */

const NOTE = 'Distribution of PyTorch, not its bits.'
const NORMAL_HOW = 'the MLX float32 standard normal of each element scaled in double, rounded once to the dtype'
const UNIFORM_HOW = 'a double uniform from one Threefry word per element, rounded once to the dtype'

const gainParam: ParamSpec = { name: 'gain', type: 'number', default: 1.0, description: 'An optional scaling factor.' }
const aParam: ParamSpec = {
  name: 'a', type: 'number', default: 0, description: 'The negative slope of the rectifier used after this layer (only used with leaky_relu).'
}
const modeParam: ParamSpec = {
  name: 'mode', type: 'string', enum: ['fan_in', 'fan_out'], default: 'fan_in', description: 'fan_in preserves the variance in the forward pass, fan_out in the backward pass.'
}
const nonlinearityParam: ParamSpec = {
  name: 'nonlinearity', type: 'string', enum: NONLINEARITIES, default: 'leaky_relu', description: 'The non-linear function (nn.functional name) whose calculate_gain is used.'
}

/** What every fan-based entry (xavier_*, kaiming_*) shares: torch's fan rule, float dtypes. */
const fanBased = {
  fan: TORCH_FAN,
  dtypes: FLOAT_DTYPES,
  mlxExact: false,
  minRank: 2,
  rankMessage: torchFanRankMessage
} as const

const twoDims = (): string => 'Only tensors with 2 dimensions are supported'

/**
 * sparse_ picks each column's zeros among all of its rows, so the reference kernel holds columns
 * in memory (up to 4M words at a time); taller matrices are refused up front (413).
 */
export const SPARSE_MAX_ROWS = 2 ** 22

function kaimingStd (shape: readonly number[], params: ResolvedParams): number {
  if (hasZeroDim(shape)) return 0 // torch: "Initializing zero-element tensors is a no-op"
  const { fanIn, fanOut } = torchFans(shape)
  const fan = params.mode === 'fan_out' ? fanOut : fanIn
  const gain = calculateGain(params.nonlinearity as string, numberParam(params, 'a'))
  return gain / Math.sqrt(fan)
}

function xavierStd (shape: readonly number[], gain: number): number {
  if (hasZeroDim(shape)) return 0
  const { fanIn, fanOut } = torchFans(shape)
  return gain * Math.sqrt(2.0 / (fanIn + fanOut))
}

export const torchInitializers: readonly InitializerEntry[] = [
  {
    id: 'torch.uniform_',
    family: 'torch',
    aliases: ['torch.uniform'],
    summary: `torch.nn.init.uniform_: U(a, b). ${NOTE}`,
    formula: `w ~ U(a, b): ${UNIFORM_HOW}`,
    params: [
      { name: 'a', type: 'number', default: 0.0, description: 'The lower bound of the uniform distribution.' },
      { name: 'b', type: 'number', default: 1.0, description: 'The upper bound of the uniform distribution.' }
    ],
    dtypes: FLOAT_DTYPES,
    mlxExact: false,
    recipe (_shape, params) {
      const a = numberParam(params, 'a')
      const b = numberParam(params, 'b')
      if (a > b) throw new TensorInitError('invalid-parameter', `uniform_ expects to return a [from, to) range, but found from=${a} > to=${b}`, '/params/a')
      return roundedUniform(a, b)
    }
  },
  {
    id: 'torch.normal_',
    family: 'torch',
    aliases: ['torch.normal'],
    summary: `torch.nn.init.normal_: N(mean, std^2). ${NOTE}`,
    formula: `w ~ N(mean, std^2): ${NORMAL_HOW}`,
    params: [
      { name: 'mean', type: 'number', default: 0.0, description: 'The mean of the normal distribution.' },
      { name: 'std', type: 'number', default: 1.0, minimum: 0, description: 'The standard deviation of the normal distribution.' }
    ],
    dtypes: FLOAT_DTYPES,
    mlxExact: false,
    recipe: (_shape, params) => roundedNormal(numberParam(params, 'mean'), numberParam(params, 'std'))
  },
  {
    id: 'torch.trunc_normal_',
    family: 'torch',
    summary: `torch.nn.init.trunc_normal_: N(mean, std^2) redrawn outside [a, b]. a and b are ABSOLUTE cutoffs, not multiples of std (so std=0.02 with the default a=-2, b=2 is effectively untruncated). ${NOTE}`,
    formula: 'w ~ N(mean, std^2) truncated to [a, b]; inverse CDF on the Threefry stream in double (accurate in both tails), rounded once to the dtype',
    params: [
      { name: 'mean', type: 'number', default: 0.0, description: 'The mean of the normal distribution.' },
      { name: 'std', type: 'number', default: 1.0, exclusiveMinimum: 0, description: 'The standard deviation of the normal distribution (before truncation).' },
      { name: 'a', type: 'number', default: -2.0, description: 'The minimum cutoff value (absolute).' },
      { name: 'b', type: 'number', default: 2.0, description: 'The maximum cutoff value (absolute).' }
    ],
    dtypes: FLOAT_DTYPES,
    mlxExact: false,
    recipe: (_shape, params) => truncNormal(numberParam(params, 'mean'), numberParam(params, 'std'), numberParam(params, 'a'), numberParam(params, 'b'), '/params/a')
  },
  {
    id: 'torch.constant_',
    family: 'torch',
    aliases: ['torch.constant'],
    summary: 'torch.nn.init.constant_: every element equals val.',
    formula: 'w = val',
    params: [{ name: 'val', type: 'number', required: true, description: 'The value to fill the tensor with.' }],
    dtypes: DTYPES,
    mlxExact: false,
    recipe: (_shape, params, dtype) => constant(numberParam(params, 'val'), dtype, '/params/val')
  },
  {
    id: 'torch.ones_',
    family: 'torch',
    summary: 'torch.nn.init.ones_: every element 1.',
    formula: 'w = 1',
    params: [],
    dtypes: DTYPES,
    mlxExact: false,
    recipe: () => ({ kind: 'constant', value: 1 })
  },
  {
    id: 'torch.zeros_',
    family: 'torch',
    summary: 'torch.nn.init.zeros_: every element 0.',
    formula: 'w = 0',
    params: [],
    dtypes: DTYPES,
    mlxExact: false,
    recipe: () => ({ kind: 'constant', value: 0 })
  },
  {
    id: 'torch.eye_',
    family: 'torch',
    aliases: ['torch.eye'],
    summary: 'torch.nn.init.eye_: the identity matrix for any 2-D shape, rectangular included (preserves the inputs of Linear layers).',
    formula: 'w[i, j] = 1 if i == j else 0',
    params: [],
    dtypes: DTYPES,
    mlxExact: false,
    minRank: 2,
    maxRank: 2,
    rankMessage: twoDims,
    recipe: () => ({ kind: 'eye', value: 1 })
  },
  {
    id: 'torch.dirac_',
    family: 'torch',
    aliases: ['torch.dirac'],
    summary: 'torch.nn.init.dirac_: a {3, 4, 5}-D (out, in, *k) conv kernel that passes its inputs through (per group): 1 at [g*out/groups + d, d, k//2, ...] for d < min(out/groups, in), 0 elsewhere.',
    formula: 'w[g*out/groups + d, d, k1//2, ...] = 1 for d < min(out/groups, in); 0 elsewhere',
    params: [{ name: 'groups', type: 'integer', default: 1, minimum: 1, description: 'Number of groups in the conv layer.' }],
    dtypes: DTYPES,
    mlxExact: false,
    minRank: 3,
    maxRank: 5,
    rankMessage: () => 'Only tensors with 3, 4, or 5 dimensions are supported',
    recipe (shape, params) {
      const groups = numberParam(params, 'groups')
      if (shape[0]! % groups !== 0) throw new TensorInitError('invalid-parameter', 'dim 0 must be divisible by groups', '/params/groups')
      return { kind: 'dirac', groups, value: 1 }
    }
  },
  {
    id: 'torch.xavier_uniform_',
    family: 'torch',
    aliases: ['torch.xavier_uniform'],
    summary: `torch.nn.init.xavier_uniform_ (Glorot): U(-a, a), a = gain * sqrt(6/(fan_in + fan_out)). ${NOTE}`,
    formula: `w ~ U(-a, a), a = sqrt(3) * gain * sqrt(2/(fan_in + fan_out)): ${UNIFORM_HOW}`,
    ...fanBased,
    params: [gainParam],
    recipe (shape, params) {
      const a = Math.sqrt(3.0) * xavierStd(shape, numberParam(params, 'gain'))
      return roundedUniform(-a, a)
    }
  },
  {
    id: 'torch.xavier_normal_',
    family: 'torch',
    aliases: ['torch.xavier_normal'],
    summary: `torch.nn.init.xavier_normal_ (Glorot): N(0, std^2), std = gain * sqrt(2/(fan_in + fan_out)), untruncated (Keras GlorotNormal is truncated). ${NOTE}`,
    formula: `w ~ N(0, std^2), std = gain * sqrt(2/(fan_in + fan_out)): ${NORMAL_HOW}`,
    ...fanBased,
    params: [gainParam],
    recipe: (shape, params) => roundedNormal(0.0, xavierStd(shape, numberParam(params, 'gain')))
  },
  {
    id: 'torch.kaiming_uniform_',
    family: 'torch',
    aliases: ['torch.kaiming_uniform'],
    summary: `torch.nn.init.kaiming_uniform_ (He): U(-bound, bound), bound = gain * sqrt(3/fan), gain = calculate_gain(nonlinearity, a) (sqrt(2) by default; a = sqrt(5) gives nn.Linear's default U(+-1/sqrt(fan_in))). ${NOTE}`,
    formula: `w ~ U(-b, b), b = sqrt(3) * gain / sqrt(fan): ${UNIFORM_HOW}`,
    ...fanBased,
    params: [aParam, modeParam, nonlinearityParam],
    recipe (shape, params) {
      const bound = Math.sqrt(3.0) * kaimingStd(shape, params)
      return roundedUniform(-bound, bound)
    }
  },
  {
    id: 'torch.kaiming_normal_',
    family: 'torch',
    aliases: ['torch.kaiming_normal'],
    summary: `torch.nn.init.kaiming_normal_ (He): N(0, std^2), std = gain / sqrt(fan), gain = calculate_gain(nonlinearity, a) (sqrt(2) by default), untruncated (Keras HeNormal is truncated). ${NOTE}`,
    formula: `w ~ N(0, std^2), std = gain / sqrt(fan): ${NORMAL_HOW}`,
    ...fanBased,
    params: [aParam, modeParam, nonlinearityParam],
    recipe: (shape, params) => roundedNormal(0, kaimingStd(shape, params))
  },
  {
    id: 'torch.orthogonal_',
    family: 'torch',
    aliases: ['torch.orthogonal'],
    summary: 'torch.nn.init.orthogonal_: the shape flattened to (shape[0], prod(shape[1:])) is a (semi-)orthogonal matrix times gain. Orthogonal to 1e-6 and deterministic; not torch\'s bits.',
    formula: 'rows = shape[0], cols = prod(shape[1:]); q, r = qr(N(0,1)); q *= sign(diag(r)); w = gain * q (rows x cols, or q^T when rows < cols)',
    params: [gainParam],
    dtypes: FLOAT_DTYPES,
    mlxExact: false,
    minRank: 2,
    rankMessage: () => 'Only tensors with 2 or more dimensions are supported',
    recipe (shape, params) {
      const rows = shape[0]!
      const cols = shape.slice(1).reduce((a, b) => a * b, 1)
      return orthogonalRecipe(rows, cols, numberParam(params, 'gain'), false)
    }
  },
  {
    id: 'torch.sparse_',
    family: 'torch',
    aliases: ['torch.sparse'],
    summary: `torch.nn.init.sparse_: a 2-D matrix N(0, std^2) with ceil(sparsity * rows) zeros in every COLUMN (MLX sparse zeroes per row). Consumes two keys: values, then the zero positions. ${NOTE}`,
    formula: 'w ~ N(0, std^2); in each column, ceil(sparsity * rows) uniformly chosen rows set to 0',
    params: [
      { name: 'sparsity', type: 'number', required: true, minimum: 0, maximum: 1, description: 'The fraction of elements in each column to be set to zero.' },
      { name: 'std', type: 'number', default: 0.01, minimum: 0, description: 'The standard deviation of the normal distribution of the non-zero values.' }
    ],
    dtypes: FLOAT_DTYPES,
    mlxExact: false,
    minRank: 2,
    maxRank: 2,
    rankMessage: twoDims,
    recipe (shape, params) {
      const rows = shape[0]!
      if (rows > SPARSE_MAX_ROWS) {
        throw new TensorInitError('tensor-too-large',
          `sparse_ chooses the zeros of a column among all its rows, so a column is held in memory; at most ${SPARSE_MAX_ROWS} rows are allowed, got ${rows}.`, '/shape')
      }
      const sparsity = numberParam(params, 'sparsity')
      return { kind: 'column-sparse', sparsity, std: numberParam(params, 'std'), zeros: Math.min(rows, Math.ceil(sparsity * rows)) }
    }
  }
]
