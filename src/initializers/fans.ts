import { TensorInitError } from '../core/errors.ts'

export interface Fans { fanIn: number, fanOut: number }

/**
 * MLX's `_calculate_fan_in_fan_out` (python/mlx/nn/init.py; spec b.14): weights are laid out
 * (out, ..., in), so fan_in = shape[-1] * rf and fan_out = shape[0] * rf with rf the product of the
 * middle dims. Below 2-D MLX raises; we raise the same message as a 400 on /shape.
 */
export function mlxFans (shape: readonly number[]): Fans {
  if (shape.length < 2) {
    throw new TensorInitError('invalid-rank',
      `Glorot / He initialization requires at least 2 dimensional input but input with ${shape.length} dimensions.`, '/shape')
  }
  let receptive = 1
  for (let i = 1; i < shape.length - 1; i++) receptive *= shape[i] as number
  return { fanIn: (shape[shape.length - 1] as number) * receptive, fanOut: (shape[0] as number) * receptive }
}
