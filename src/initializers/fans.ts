import { TensorInitError } from '../core/errors.ts'

/**
 * The fan rule of every family, each exactly as its framework computes it (sources as named in
 * frameworks-and-formats.md §0 and §1 "Weight layout / fan convention"): MLX (out, ..., in),
 * Keras (..., in, out), PyTorch (out, in, *k) and JAX (in_axis/out_axis/batch_axis). Each rule
 * comes with the words the catalog publishes for it and, where the framework raises for a low
 * rank, its error text.
 */

export interface Fans { fanIn: number, fanOut: number }

function product (values: readonly number[]): number {
  let p = 1
  for (const v of values) p *= v
  return p
}

/**
 * A Python-style axis of a rank-`rank` shape, normalized to [0, rank). An axis outside
 * [-rank, rank) is Python's IndexError, reported as a 400 on the parameter that named it.
 */
export function normalizeAxis (axis: number, rank: number, field: string, name: string): number {
  const i = axis < 0 ? axis + rank : axis
  if (!Number.isInteger(axis) || i < 0 || i >= rank) {
    throw new TensorInitError('invalid-parameter',
      `${name} ${axis} is out of range for a shape of rank ${rank} (tuple index out of range).`, field)
  }
  return i
}

function dimAt (shape: readonly number[], axis: number, field: string, name: string): number {
  return shape[normalizeAxis(axis, shape.length, field, name)]!
}

export const MLX_FAN = 'MLX layout (out, ..., in): fan_in = shape[-1]*rf, fan_out = shape[0]*rf, rf = prod(shape[1:-1])'

export const mlxFanRankMessage = (rank: number): string =>
  `Glorot / He initialization requires at least 2 dimensional input but input with ${rank} dimensions.`

/**
 * MLX's `_calculate_fan_in_fan_out` (python/mlx/nn/init.py; spec b.14): weights are laid out
 * (out, ..., in), so fan_in = shape[-1] * rf and fan_out = shape[0] * rf with rf the product of the
 * middle dims. Below 2-D MLX raises; we raise the same message as a 400 on /shape.
 */
export function mlxFans (shape: readonly number[]): Fans {
  if (shape.length < 2) throw new TensorInitError('invalid-rank', mlxFanRankMessage(shape.length), '/shape')
  const receptive = product(shape.slice(1, -1))
  return { fanIn: shape[shape.length - 1]! * receptive, fanOut: shape[0]! * receptive }
}

export const KERAS_FAN = 'Keras layout (..., in, out): 0-D fans 1; 1-D fan_in = fan_out = shape[0]; 2-D fan_in = shape[0], fan_out = shape[1]; ' +
  '>= 3-D fan_in = shape[-2]*rf, fan_out = shape[-1]*rf with rf = prod(shape[:-2]); when input_axes and output_axes are both given, ' +
  'fan_in = prod(shape[input_axes]), fan_out = prod(shape[output_axes]); divided by max(1, fan)'

/**
 * keras.src.initializers.random_initializers.compute_fans (Keras 3.15+): explicit
 * input_axes/output_axes win only when both are given; otherwise 0-D gives (1, 1), 1-D
 * (shape[0], shape[0]), 2-D (shape[0], shape[1]) (Dense kernels are (in, out)), and higher ranks
 * treat shape[:-2] as the receptive field of a (..., in, out) conv kernel.
 */
export function kerasFans (shape: readonly number[], inputAxes: readonly number[] | null = null, outputAxes: readonly number[] | null = null): Fans {
  if (inputAxes !== null && outputAxes !== null) {
    return {
      fanIn: product(inputAxes.map((a) => dimAt(shape, a, '/params/input_axes', 'input_axes entry'))),
      fanOut: product(outputAxes.map((a) => dimAt(shape, a, '/params/output_axes', 'output_axes entry')))
    }
  }
  const rank = shape.length
  if (rank === 0) return { fanIn: 1, fanOut: 1 }
  if (rank === 1) return { fanIn: shape[0]!, fanOut: shape[0]! }
  if (rank === 2) return { fanIn: shape[0]!, fanOut: shape[1]! }
  const receptive = product(shape.slice(0, -2))
  return { fanIn: shape[rank - 2]! * receptive, fanOut: shape[rank - 1]! * receptive }
}

export const TORCH_FAN = 'PyTorch layout (out, in, *k): fan_in = shape[1]*rf, fan_out = shape[0]*rf with rf = prod(shape[2:]); below 2-D is an error'

export const torchFanRankMessage = (): string =>
  'Fan in and fan out can not be computed for tensor with fewer than 2 dimensions'

/**
 * torch.nn.init._calculate_fan_in_and_fan_out: weights are (out, in, *kernel) (Conv weights are
 * (out, in/groups, k...), ConvTranspose weights (in, out/groups, k...), so their fans swap).
 */
export function torchFans (shape: readonly number[]): Fans {
  if (shape.length < 2) throw new TensorInitError('invalid-rank', torchFanRankMessage(), '/shape')
  const receptive = product(shape.slice(2))
  return { fanIn: shape[1]! * receptive, fanOut: shape[0]! * receptive }
}

export const JAX_FAN = 'JAX layout: in_axis=-2, out_axis=-1, batch_axis=() (ints or lists); rf = prod(shape) / in / out / batch; ' +
  'fan_in = in*rf, fan_out = out*rf (floats, no max(1, fan) guard); below 2-D is an error'

export const jaxFanRankMessage = (rank: number): string =>
  `Can't compute input and output sizes of a ${rank}-dimensional weights tensor. Must be at least 2D.`

/**
 * jax._src.nn.initializers._compute_fans: in/out/batch sizes are products over their axes (a
 * single int is one axis), everything else is receptive field; computed in floating point as
 * JAX does (prod(shape) / in / out / batch). Callers handle zero-size dims before (JAX divides
 * by zero there).
 */
export function jaxFans (shape: readonly number[], inAxis: readonly number[], outAxis: readonly number[], batchAxis: readonly number[]): Fans {
  if (shape.length <= 1) throw new TensorInitError('invalid-rank', jaxFanRankMessage(shape.length), '/shape')
  const inSize = product(inAxis.map((a) => dimAt(shape, a, '/params/in_axis', 'in_axis')))
  const outSize = product(outAxis.map((a) => dimAt(shape, a, '/params/out_axis', 'out_axis')))
  const batchSize = product(batchAxis.map((a) => dimAt(shape, a, '/params/batch_axis', 'batch_axis')))
  const receptive = product(shape) / inSize / outSize / batchSize
  return { fanIn: inSize * receptive, fanOut: outSize * receptive }
}
