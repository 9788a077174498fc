import { describe, expect, it } from 'vitest'
import type { FloatDType } from '../../src/engines/reference/round-dtype.ts'
import { sample } from './sample.ts'
import { type Distribution, expectKs, expectMoments, extent, normal, truncatedNormal, uniform } from '../support/stats.ts'

/**
 * Every random initializer of the Keras, PyTorch and JAX families, in every float dtype: sample
 * moments and a Kolmogorov-Smirnov test against the distribution the framework documents. The
 * target of each row is written here from the framework's formula (frameworks-and-formats.md §2,
 * and the sources named there), independently of the service's recipes: a wrong fan, gain,
 * truncation or correction constant fails the KS test (critical value from the sample size at
 * alpha = 1e-6, seeds fixed, so no flakes).
 */

const TRUNC = 0.87962566103423978 // std of N(0, 1) truncated to [-2, 2]

/** Keras/JAX truncated preset: post-truncation std sqrt(v), i.e. pre-truncation sd = sqrt(v)/0.8796, cut at 2 sd. */
function truncatedWithStd (variance: number): Distribution {
  const sd = Math.sqrt(variance) / TRUNC
  return truncatedNormal(0, sd, -2 * sd, 2 * sd)
}

function symmetricUniform (limit: number): Distribution {
  return uniform(-limit, limit)
}

// Keras / JAX layout (..., in, out)
const CONV = [3, 3, 32, 128] // fan_in 288, fan_out 1152
const DENSE = [512, 128] // fan_in 512, fan_out 128
// PyTorch layout (out, in, *k)
const TORCH_CONV = [128, 32, 3, 3] // fan_in 288, fan_out 1152
const LINEAR = [128, 512] // fan_in 512, fan_out 128

type Row = [id: string, params: Record<string, unknown>, shape: number[], target: Distribution]

const ROWS: Row[] = [
  // Keras 3 (keras/src/initializers/random_initializers.py)
  ['keras.RandomNormal', {}, DENSE, normal(0, 0.05)],
  ['keras.RandomNormal', { mean: 1, stddev: 0.2 }, DENSE, normal(1, 0.2)],
  ['keras.RandomUniform', {}, DENSE, uniform(-0.05, 0.05)],
  ['keras.RandomUniform', { minval: 0.5, maxval: 2 }, CONV, uniform(0.5, 2)],
  ['keras.TruncatedNormal', {}, DENSE, truncatedNormal(0, 0.05, -0.1, 0.1)],
  ['keras.TruncatedNormal', { mean: 0.1, stddev: 0.3 }, CONV, truncatedNormal(0.1, 0.3, 0.1 - 0.6, 0.1 + 0.6)],
  ['keras.VarianceScaling', {}, CONV, truncatedWithStd(1 / 288)],
  ['keras.VarianceScaling', { scale: 0.5, mode: 'fan_out', distribution: 'untruncated_normal' }, CONV, normal(0, Math.sqrt(0.5 / 1152))],
  ['keras.VarianceScaling', { scale: 3, mode: 'fan_avg', distribution: 'uniform' }, CONV, symmetricUniform(Math.sqrt(3 * 3 / 720))],
  ['keras.VarianceScaling', { distribution: 'normal', mode: 'fan_out' }, DENSE, truncatedWithStd(1 / 128)],
  ['keras.VarianceScaling', { scale: 2, input_axes: [0], output_axes: [1, 2] }, [256, 8, 32], truncatedWithStd(2 / 256)],
  ['keras.GlorotNormal', {}, DENSE, truncatedWithStd(2 / (512 + 128))],
  ['keras.GlorotUniform', {}, CONV, symmetricUniform(Math.sqrt(6 / (288 + 1152)))],
  ['keras.HeNormal', {}, CONV, truncatedWithStd(2 / 288)],
  ['keras.HeUniform', {}, DENSE, symmetricUniform(Math.sqrt(6 / 512))],
  ['keras.LecunNormal', {}, CONV, truncatedWithStd(1 / 288)],
  ['keras.LecunUniform', {}, DENSE, symmetricUniform(Math.sqrt(3 / 512))],
  // PyTorch (torch/nn/init.py)
  ['torch.uniform_', {}, LINEAR, uniform(0, 1)],
  ['torch.uniform_', { a: -1, b: 3 }, LINEAR, uniform(-1, 3)],
  ['torch.normal_', {}, LINEAR, normal(0, 1)],
  ['torch.normal_', { mean: 0.5, std: 0.02 }, LINEAR, normal(0.5, 0.02)],
  ['torch.trunc_normal_', {}, LINEAR, truncatedNormal(0, 1, -2, 2)],
  ['torch.trunc_normal_', { std: 0.02 }, LINEAR, truncatedNormal(0, 0.02, -2, 2)],
  ['torch.trunc_normal_', { mean: 1, std: 1, a: 0.5, b: 5 }, TORCH_CONV, truncatedNormal(1, 1, 0.5, 5)],
  ['torch.xavier_uniform_', {}, LINEAR, symmetricUniform(Math.sqrt(6 / (512 + 128)))],
  ['torch.xavier_uniform_', { gain: 2 }, TORCH_CONV, symmetricUniform(2 * Math.sqrt(6 / (288 + 1152)))],
  ['torch.xavier_normal_', {}, LINEAR, normal(0, Math.sqrt(2 / (512 + 128)))],
  ['torch.kaiming_uniform_', {}, LINEAR, symmetricUniform(Math.sqrt(6 / 512))],
  ['torch.kaiming_uniform_', { a: Math.sqrt(5) }, LINEAR, symmetricUniform(1 / Math.sqrt(512))],
  ['torch.kaiming_normal_', {}, TORCH_CONV, normal(0, Math.SQRT2 / Math.sqrt(288))],
  ['torch.kaiming_normal_', { mode: 'fan_out', nonlinearity: 'relu' }, TORCH_CONV, normal(0, Math.SQRT2 / Math.sqrt(1152))],
  ['torch.kaiming_normal_', { nonlinearity: 'tanh' }, LINEAR, normal(0, (5 / 3) / Math.sqrt(512))],
  // JAX (jax/_src/nn/initializers.py)
  ['jax.uniform', {}, DENSE, uniform(0, 0.01)],
  ['jax.uniform', { scale: 3 }, DENSE, uniform(0, 3)],
  ['jax.normal', {}, DENSE, normal(0, 0.01)],
  ['jax.normal', { stddev: 0.5 }, CONV, normal(0, 0.5)],
  ['jax.truncated_normal', {}, DENSE, truncatedNormal(0, 0.01, -0.02, 0.02)],
  ['jax.truncated_normal', { stddev: 1, lower: -1, upper: 3 }, DENSE, truncatedNormal(0, 1, -1, 3)],
  ['jax.variance_scaling', { scale: 1, mode: 'fan_in', distribution: 'truncated_normal' }, CONV, truncatedWithStd(1 / 288)],
  ['jax.variance_scaling', { scale: 2, mode: 'fan_geo_avg', distribution: 'normal' }, CONV, normal(0, Math.sqrt(2 / Math.sqrt(288 * 1152)))],
  ['jax.variance_scaling', { scale: 0.5, mode: 'fan_out', distribution: 'uniform' }, DENSE, symmetricUniform(Math.sqrt(3 * 0.5 / 128))],
  ['jax.variance_scaling', { scale: 1, mode: 'fan_in', distribution: 'truncated_normal', in_axis: 2, out_axis: 3, batch_axis: [0] }, [4, 3, 64, 32], truncatedWithStd(1 / (3 * 64))],
  ['jax.glorot_uniform', {}, CONV, symmetricUniform(Math.sqrt(6 / (288 + 1152)))],
  ['jax.glorot_normal', {}, DENSE, truncatedWithStd(2 / (512 + 128))],
  ['jax.lecun_uniform', {}, DENSE, symmetricUniform(Math.sqrt(3 / 512))],
  ['jax.lecun_normal', {}, CONV, truncatedWithStd(1 / 288)],
  ['jax.he_uniform', {}, CONV, symmetricUniform(Math.sqrt(6 / 288))],
  ['jax.he_normal', {}, DENSE, truncatedWithStd(2 / 512)]
]

const DTYPES: FloatDType[] = ['float32', 'float16', 'bfloat16', 'float64']

describe('framework distributions (moments and Kolmogorov-Smirnov, per dtype)', () => {
  for (const [id, params, shape, target] of ROWS) {
    for (const dtype of DTYPES) {
      it(`${id}(${JSON.stringify(params)}) on (${shape.join(', ')}) in ${dtype} ~ ${target.name}`, () => {
        const v = sample({ initializer: id, params, shape, dtype, seed: 20240611 })
        if (target.low !== undefined && target.high !== undefined) {
          const [lo, hi] = extent(v)
          expect(lo).toBeGreaterThanOrEqual(target.low)
          expect(target.highOpen === true ? hi < target.high : hi <= target.high).toBe(true)
        }
        expectMoments(v, target, dtype)
        expectKs(v, target, dtype)
      })
    }
  }
})

describe('the truncation correction', () => {
  it('makes the post-truncation std of Keras/JAX truncated presets exactly sqrt(scale/n)', () => {
    for (const variance of [1 / 288, 2 / 512, 0.3]) {
      expect(truncatedWithStd(variance).variance / variance).toBeCloseTo(1, 8)
    }
  })

  it('is absent from Keras TruncatedNormal and JAX truncated_normal (std before truncation)', () => {
    const v = sample({ initializer: 'keras.TruncatedNormal', params: { stddev: 1 }, shape: [100_000], seed: 5 })
    const std = Math.sqrt(v.reduce((a, x) => a + x * x, 0) / v.length)
    expect(Math.abs(std - TRUNC)).toBeLessThan(0.01)
  })
})
