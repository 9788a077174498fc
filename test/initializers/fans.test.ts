import { describe, expect, it } from 'vitest'
import { isTensorInitError } from '../../src/core/errors.ts'
import { jaxFans, kerasFans, mlxFans, torchFans } from '../../src/initializers/fans.ts'

/**
 * Fans on dense and conv weight shapes, expected values written from each framework's documented
 * formula (frameworks-and-formats.md §1/§2; sources: python/mlx/nn/init.py _calculate_fan_in_fan_out, keras/src/initializers/random_initializers.py
 * compute_fans, torch/nn/init.py _calculate_fan_in_and_fan_out, jax/_src/nn/initializers.py
 * _compute_fans).
 */

function errorOf (f: () => unknown): { code: string, field: string | undefined, message: string } {
  try {
    f()
  } catch (err) {
    if (isTensorInitError(err)) return { code: err.code, field: err.field, message: err.message }
    throw err
  }
  throw new Error('expected an error')
}

describe('MLX _calculate_fan_in_fan_out: (out, ..., in)', () => {
  it.each([
    ['Linear weight (out, in)', [256, 784], 784, 256],
    ['Conv1d weight (out, k, in)', [16, 5, 32], 32 * 5, 16 * 5],
    ['Conv2d weight OHWI', [128, 3, 3, 64], 64 * 9, 128 * 9],
    ['zero-size dim', [0, 5], 5, 0]
  ])('%s', (_name, shape, fanIn, fanOut) => {
    expect(mlxFans(shape as number[])).toEqual({ fanIn, fanOut })
  })

  it('below 2-D raises with MLX\'s message', () => {
    expect(errorOf(() => mlxFans([10]))).toEqual({
      code: 'invalid-rank',
      field: '/shape',
      message: 'Glorot / He initialization requires at least 2 dimensional input but input with 1 dimensions.'
    })
  })
})

describe('Keras compute_fans: (..., in, out)', () => {
  it.each([
    ['Dense kernel (in, out)', [784, 256], 784, 256],
    ['Conv1D kernel (k, in, out)', [5, 32, 16], 5 * 32, 5 * 16],
    ['Conv2D kernel (kh, kw, in, out)', [3, 3, 64, 128], 3 * 3 * 64, 3 * 3 * 128],
    ['Conv3D kernel', [2, 3, 4, 8, 16], 24 * 8, 24 * 16],
    ['1-D: both fans are shape[0]', [10], 10, 10],
    ['0-D: both fans are 1', [], 1, 1],
    ['zero-size dim', [0, 5], 0, 5]
  ])('%s', (_name, shape, fanIn, fanOut) => {
    expect(kerasFans(shape as number[])).toEqual({ fanIn, fanOut })
  })

  it('input_axes/output_axes (EinsumDense, Keras 3.15+) override only when both are given', () => {
    // An attention kernel (d_model, heads, head_dim): inputs along axis 0, outputs along 1 and 2.
    expect(kerasFans([512, 8, 64], [0], [1, 2])).toEqual({ fanIn: 512, fanOut: 512 })
    expect(kerasFans([512, 8, 64], [0], [-1])).toEqual({ fanIn: 512, fanOut: 64 })
    expect(kerasFans([8, 64, 512], [0, 1], [2])).toEqual({ fanIn: 512, fanOut: 512 })
    // Only one given: Keras falls back to the default rule.
    expect(kerasFans([512, 8, 64], [0], null)).toEqual({ fanIn: 512 * 8, fanOut: 512 * 64 })
    expect(kerasFans([512, 8, 64], null, [1, 2])).toEqual({ fanIn: 512 * 8, fanOut: 512 * 64 })
  })

  it('an axis outside the shape is a 400 on the parameter', () => {
    expect(errorOf(() => kerasFans([4, 5], [2], [1]))).toMatchObject({ code: 'invalid-parameter', field: '/params/input_axes' })
    expect(errorOf(() => kerasFans([4, 5], [0], [-3]))).toMatchObject({ code: 'invalid-parameter', field: '/params/output_axes' })
  })
})

describe('PyTorch _calculate_fan_in_and_fan_out: (out, in, *k)', () => {
  it.each([
    ['Linear weight (out, in)', [256, 784], 784, 256],
    ['Conv1d weight (out, in, k)', [16, 32, 5], 32 * 5, 16 * 5],
    ['Conv2d weight (out, in, kh, kw)', [128, 64, 3, 3], 64 * 9, 128 * 9],
    ['Conv3d weight', [16, 8, 2, 3, 4], 8 * 24, 16 * 24],
    ['grouped Conv2d weight (out, in/groups, k, k), groups 4', [128, 16, 3, 3], 16 * 9, 128 * 9],
    // ConvTranspose2d weight is (in, out/groups, k...): the rule reads shape[1] as "in", so the
    // meanings swap (derived from the shapes, frameworks-and-formats §2.3).
    ['ConvTranspose2d weight (in=64, out=128, 3, 3)', [64, 128, 3, 3], 128 * 9, 64 * 9]
  ])('%s', (_name, shape, fanIn, fanOut) => {
    expect(torchFans(shape as number[])).toEqual({ fanIn, fanOut })
  })

  it('below 2-D raises with torch\'s message', () => {
    expect(errorOf(() => torchFans([10]))).toEqual({
      code: 'invalid-rank',
      field: '/shape',
      message: 'Fan in and fan out can not be computed for tensor with fewer than 2 dimensions'
    })
  })
})

describe('JAX _compute_fans: in_axis=-2, out_axis=-1, batch_axis=()', () => {
  it.each([
    ['Dense kernel (in, out)', [784, 256], [-2], [-1], [], 784, 256],
    ['Conv kernel (kh, kw, in, out)', [3, 3, 64, 128], [-2], [-1], [], 576, 1152],
    ['lists of axes', [8, 64, 512], [0, 1], [2], [], 512, 512],
    ['batch axis ignored', [4, 3, 3, 16, 32], [-2], [-1], [0], 9 * 16, 9 * 32],
    ['custom in/out axes (PyTorch layout)', [128, 64, 3, 3], [1], [0], [], 576, 1152]
  ])('%s', (_name, shape, inAxis, outAxis, batchAxis, fanIn, fanOut) => {
    expect(jaxFans(shape as number[], inAxis as number[], outAxis as number[], batchAxis as number[])).toEqual({ fanIn, fanOut })
  })

  it('computes in floating point like JAX (receptive field = prod / in / out / batch)', () => {
    // in_axis and out_axis the same axis: rf = 15 / 3 / 3 = 5/3, fans = 3 * 5/3 = 5.
    const { fanIn, fanOut } = jaxFans([3, 5], [0], [0], [])
    expect(fanIn).toBeCloseTo(5, 14)
    expect(fanOut).toBeCloseTo(5, 14)
  })

  it('below 2-D raises with JAX\'s message; a bad axis is a 400 on it', () => {
    expect(errorOf(() => jaxFans([7], [-2], [-1], []))).toEqual({
      code: 'invalid-rank',
      field: '/shape',
      message: 'Can\'t compute input and output sizes of a 1-dimensional weights tensor. Must be at least 2D.'
    })
    expect(errorOf(() => jaxFans([3, 4], [5], [-1], []))).toMatchObject({ code: 'invalid-parameter', field: '/params/in_axis' })
    expect(errorOf(() => jaxFans([3, 4], [0], [1], [2]))).toMatchObject({ code: 'invalid-parameter', field: '/params/batch_axis' })
  })
})
