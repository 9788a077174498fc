import { describe, expect, it } from 'vitest'
import { findInitializer, listInitializers } from '../../src/initializers/catalog.ts'
import type { DType } from '../../src/core/dtype.ts'
import { orthogonalityError, plan, planError, sample } from './sample.ts'

/**
 * The Keras 3 family (keras/src/initializers/*.py): catalog, defaults, VarianceScaling math on
 * dense and conv shapes (expected values written from Keras's code), errors with Keras's
 * meaning, and the structure of Zeros/Ones/Constant/Identity/Orthogonal.
 */

const TRUNC = 0.87962566103423978

describe('Keras catalog', () => {
  it('serves the fifteen keras.initializers classes, none MLX-exact, each with a get_config', () => {
    const ids = listInitializers('keras').map((e) => e.id)
    expect(ids).toEqual([
      'keras.Zeros', 'keras.Ones', 'keras.Constant', 'keras.RandomNormal', 'keras.RandomUniform', 'keras.TruncatedNormal',
      'keras.VarianceScaling', 'keras.GlorotNormal', 'keras.GlorotUniform', 'keras.HeNormal', 'keras.HeUniform',
      'keras.LecunNormal', 'keras.LecunUniform', 'keras.Orthogonal', 'keras.Identity'
    ])
    for (const e of listInitializers('keras')) {
      expect(e.mlxExact).toBe(false)
      expect(e.kerasConfig).toBeTypeOf('function')
    }
  })

  it.each([
    ['keras.zeros', 'keras.Zeros'], ['keras.zero', 'keras.Zeros'], ['keras.ones', 'keras.Ones'], ['keras.one', 'keras.Ones'],
    ['keras.constant', 'keras.Constant'], ['keras.random_normal', 'keras.RandomNormal'], ['keras.normal', 'keras.RandomNormal'],
    ['keras.random_uniform', 'keras.RandomUniform'], ['keras.uniform', 'keras.RandomUniform'],
    ['keras.truncated_normal', 'keras.TruncatedNormal'], ['keras.variance_scaling', 'keras.VarianceScaling'],
    ['keras.glorot_normal', 'keras.GlorotNormal'], ['keras.glorot_uniform', 'keras.GlorotUniform'], ['keras.he_normal', 'keras.HeNormal'],
    ['keras.he_uniform', 'keras.HeUniform'], ['keras.lecun_normal', 'keras.LecunNormal'], ['keras.lecun_uniform', 'keras.LecunUniform'],
    ['keras.orthogonal', 'keras.Orthogonal'], ['keras.OrthogonalInitializer', 'keras.Orthogonal'],
    ['keras.identity', 'keras.Identity'], ['keras.IdentityInitializer', 'keras.Identity']
  ])('alias %s is %s (Keras ALL_OBJECTS_DICT)', (alias, id) => {
    expect(findInitializer(alias)?.id).toBe(id)
    expect(plan({ initializer: alias, shape: [2, 2] }).initializer).toBe(id)
  })

  it('fills in Keras\'s defaults', () => {
    expect(plan({ initializer: 'keras.RandomNormal', shape: [2] }).params).toEqual({ mean: 0, stddev: 0.05 })
    expect(plan({ initializer: 'keras.RandomUniform', shape: [2] }).params).toEqual({ minval: -0.05, maxval: 0.05 })
    expect(plan({ initializer: 'keras.TruncatedNormal', shape: [2] }).params).toEqual({ mean: 0, stddev: 0.05 })
    expect(plan({ initializer: 'keras.VarianceScaling', shape: [2, 2] }).params).toEqual({
      scale: 1, mode: 'fan_in', distribution: 'truncated_normal', input_axes: null, output_axes: null
    })
    expect(plan({ initializer: 'keras.Constant', shape: [2] }).params).toEqual({ value: 0 })
    expect(plan({ initializer: 'keras.Orthogonal', shape: [2, 2] }).params).toEqual({ gain: 1 })
  })
})

describe('Keras VarianceScaling math', () => {
  it('HeNormal on a conv kernel: truncated at 2 sd, sd = sqrt(2/fan_in)/0.8796', () => {
    const sd = Math.sqrt(2 / (3 * 3 * 16)) / TRUNC
    expect(plan({ initializer: 'keras.HeNormal', shape: [3, 3, 16, 32] }).recipe).toEqual({ kind: 'trunc-normal', mean: 0, std: sd, low: -2 * sd, high: 2 * sd })
  })

  it('GlorotUniform on a dense kernel: limit sqrt(3 / ((in + out)/2))', () => {
    const limit = Math.sqrt(3 / ((784 + 256) / 2))
    expect(plan({ initializer: 'keras.GlorotUniform', shape: [784, 256] }).recipe).toEqual({ kind: 'rounded-uniform', low: -limit, high: limit })
    expect(limit).toBeCloseTo(Math.sqrt(6 / (784 + 256)), 15)
  })

  it('untruncated_normal: sd = sqrt(scale / fan); "normal" is Keras\'s alias of truncated_normal', () => {
    expect(plan({ initializer: 'keras.VarianceScaling', shape: [100, 50], params: { scale: 3, mode: 'fan_out', distribution: 'untruncated_normal' } }).recipe)
      .toEqual({ kind: 'rounded-normal', mean: 0, std: Math.sqrt(3 / 50) })
    const aliased = plan({ initializer: 'keras.VarianceScaling', shape: [100, 50], params: { distribution: 'normal' } }).recipe
    expect(aliased).toEqual(plan({ initializer: 'keras.VarianceScaling', shape: [100, 50], params: { distribution: 'truncated_normal' } }).recipe)
  })

  it('divides by max(1, fan): 0-D and 1-D shapes work (Keras computes fans for them), and zero-size ones too', () => {
    const sd = Math.sqrt(2) / TRUNC
    expect(plan({ initializer: 'keras.HeNormal', shape: [] }).recipe).toMatchObject({ std: sd })
    expect(plan({ initializer: 'keras.LecunUniform', shape: [12] }).recipe).toEqual({ kind: 'rounded-uniform', low: -0.5, high: 0.5 })
    expect(plan({ initializer: 'keras.HeNormal', shape: [0, 8] }).recipe).toMatchObject({ std: sd })
    expect(sample({ initializer: 'keras.HeNormal', shape: [0, 8] })).toHaveLength(0)
  })

  it('input_axes/output_axes choose the fans (EinsumDense kernels)', () => {
    const sd = Math.sqrt(1 / 512) / TRUNC
    expect(plan({ initializer: 'keras.LecunNormal', shape: [512, 8, 64], params: { input_axes: [0], output_axes: [1, 2] } }).recipe).toMatchObject({ std: sd })
    expect(planError({ initializer: 'keras.LecunNormal', shape: [512, 8], params: { input_axes: [3], output_axes: [1] } }))
      .toMatchObject({ code: 'invalid-parameter', field: '/params/input_axes' })
  })

  it('rejects what Keras\'s constructor rejects', () => {
    expect(planError({ initializer: 'keras.VarianceScaling', shape: [2, 2], params: { scale: 0 } })).toMatchObject({ code: 'invalid-parameter', field: '/params/scale' })
    expect(planError({ initializer: 'keras.VarianceScaling', shape: [2, 2], params: { scale: -1 } })).toMatchObject({ code: 'invalid-parameter', field: '/params/scale' })
    expect(planError({ initializer: 'keras.VarianceScaling', shape: [2, 2], params: { mode: 'fan_geo_avg' } })).toMatchObject({ code: 'invalid-parameter', field: '/params/mode' })
    expect(planError({ initializer: 'keras.VarianceScaling', shape: [2, 2], params: { distribution: 'laplace' } })).toMatchObject({ code: 'invalid-parameter', field: '/params/distribution' })
    expect(planError({ initializer: 'keras.HeNormal', shape: [2, 2], params: { seed: 3 } })).toMatchObject({ code: 'unknown-parameter', field: '/params/seed' })
  })
})

describe('Keras constant initializers', () => {
  it('Zeros and Ones in numeric and bool dtypes', () => {
    for (const dtype of ['float32', 'bfloat16', 'int8', 'uint32', 'int64', 'bool'] as DType[]) {
      expect([...sample({ initializer: 'keras.Zeros', shape: [2, 3], dtype })]).toEqual([0, 0, 0, 0, 0, 0])
      expect([...sample({ initializer: 'keras.Ones', shape: [3], dtype })]).toEqual([1, 1, 1])
    }
  })

  it('Constant fills the value; an integer dtype needs an integer value (Keras would truncate silently)', () => {
    expect([...sample({ initializer: 'keras.Constant', shape: [2], params: { value: -2.5 } })]).toEqual([-2.5, -2.5])
    expect([...sample({ initializer: 'keras.Constant', shape: [2], dtype: 'int16', params: { value: -7 } })]).toEqual([-7, -7])
    expect(planError({ initializer: 'keras.Constant', shape: [2], dtype: 'int32', params: { value: 0.5 } })).toMatchObject({ code: 'invalid-parameter', field: '/params/value' })
    expect(planError({ initializer: 'keras.Constant', shape: [2], dtype: 'uint8', params: { value: 256 } })).toMatchObject({ code: 'invalid-parameter', field: '/params/value' })
  })

  it('Identity is gain * eye for any 2-D shape, rectangular included', () => {
    expect([...sample({ initializer: 'keras.Identity', shape: [2, 3], params: { gain: 2.5 } })]).toEqual([2.5, 0, 0, 0, 2.5, 0])
    expect([...sample({ initializer: 'keras.Identity', shape: [3, 2], dtype: 'int8', params: { gain: 3 } })]).toEqual([3, 0, 0, 3, 0, 0])
    expect(planError({ initializer: 'keras.Identity', shape: [2, 2, 2] })).toEqual({
      code: 'invalid-rank',
      field: '/shape',
      message: 'Identity matrix initializer can only be used for 2D matrices. Received: shape=(2, 2, 2) of rank 3.'
    })
    expect(planError({ initializer: 'keras.Identity', shape: [4], params: {} }).message).toContain('shape=(4,) of rank 1')
    expect(planError({ initializer: 'keras.Identity', shape: [2, 2], dtype: 'int32', params: { gain: 1.5 } })).toMatchObject({ code: 'invalid-parameter', field: '/params/gain' })
  })
})

describe('Keras Orthogonal', () => {
  it('flattens to (prod(shape[:-1]), shape[-1]): orthonormal columns times gain', () => {
    const v = sample({ initializer: 'keras.Orthogonal', shape: [3, 3, 8, 16], dtype: 'float64', params: { gain: 2 } })
    expect(orthogonalityError(v, 72, 16, 2, false)).toBeLessThan(1e-12)
  })

  it('has orthonormal rows when there are fewer rows than columns', () => {
    const v = sample({ initializer: 'keras.Orthogonal', shape: [5, 40], dtype: 'float32' })
    expect(orthogonalityError(v, 5, 40, 1, true)).toBeLessThan(1e-6)
  })

  it('needs at least 2-D', () => {
    expect(planError({ initializer: 'keras.Orthogonal', shape: [4] })).toMatchObject({ code: 'invalid-rank', field: '/shape' })
    expect(planError({ initializer: 'keras.Orthogonal', shape: [4] }).message).toContain('must be at least two-dimensional')
  })
})
