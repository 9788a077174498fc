import { TensorInitError } from '../core/errors.ts'

/**
 * torch.nn.init.calculate_gain (torch/nn/init.py): the recommended gain per nonlinearity.
 * linear, conv*, conv_transpose* and sigmoid 1; tanh 5/3; relu sqrt(2); leaky_relu
 * sqrt(2 / (1 + slope^2)) with slope = param, 0.01 when param is None; selu 3/4 ("found
 * empirically", pytorch PR #50664). Anything else is torch's ValueError.
 */

export const NONLINEARITIES = [
  'linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d',
  'sigmoid', 'tanh', 'relu', 'leaky_relu', 'selu'
] as const

export type Nonlinearity = typeof NONLINEARITIES[number]

const LINEAR = new Set<string>(['linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d', 'sigmoid'])

/**
 * The gain for `nonlinearity`; `param` is the leaky_relu negative slope (null/undefined: 0.01,
 * as calculate_gain's own default; kaiming_* pass their `a`, default 0).
 */
export function calculateGain (nonlinearity: string, param: number | null = null, field = '/params/nonlinearity'): number {
  if (LINEAR.has(nonlinearity)) return 1
  switch (nonlinearity) {
    case 'tanh': return 5.0 / 3
    case 'relu': return Math.sqrt(2.0)
    case 'leaky_relu': {
      const slope = param ?? 0.01
      if (!Number.isFinite(slope)) throw new TensorInitError('invalid-parameter', `negative_slope ${slope} not a valid number`, '/params/a')
      return Math.sqrt(2.0 / (1 + slope * slope))
    }
    case 'selu': return 3.0 / 4
    default:
      throw new TensorInitError('invalid-parameter', `Unsupported nonlinearity ${nonlinearity}`, field)
  }
}
