import { describe, expect, it } from 'vitest'
import { findInitializer, listInitializers } from '../../src/initializers/catalog.ts'
import { orthogonalityError, plan, planError, sample } from './sample.ts'

/**
 * The JAX family (jax/_src/nn/initializers.py): catalog and aliases, variance_scaling with
 * fan_geo_avg and in/out/batch axes, JAX's error texts, and the structure of orthogonal (any
 * column_axis) and delta_orthogonal.
 */

const TRUNC = 0.87962566103423978

describe('JAX catalog', () => {
  it('serves jax.nn.initializers', () => {
    expect(listInitializers('jax').map((e) => e.id)).toEqual([
      'jax.zeros', 'jax.ones', 'jax.constant', 'jax.uniform', 'jax.normal', 'jax.truncated_normal', 'jax.variance_scaling',
      'jax.glorot_uniform', 'jax.glorot_normal', 'jax.lecun_uniform', 'jax.lecun_normal', 'jax.he_uniform', 'jax.he_normal',
      'jax.orthogonal', 'jax.delta_orthogonal'
    ])
  })

  it.each([['xavier_uniform', 'glorot_uniform'], ['xavier_normal', 'glorot_normal'], ['kaiming_uniform', 'he_uniform'], ['kaiming_normal', 'he_normal']])(
    'jax.%s is jax.%s', (alias, id) => {
      expect(findInitializer(`jax.${alias}`)?.id).toBe(`jax.${id}`)
    })

  it('variance_scaling has no defaults for scale, mode and distribution (they are positional in JAX)', () => {
    expect(planError({ initializer: 'jax.variance_scaling', shape: [2, 2], params: { mode: 'fan_in', distribution: 'normal' } }))
      .toMatchObject({ code: 'missing-parameter', field: '/params/scale' })
    expect(plan({ initializer: 'jax.he_normal', shape: [2, 2] }).params).toEqual({ in_axis: [-2], out_axis: [-1], batch_axis: [] })
  })
})

describe('JAX variance_scaling math', () => {
  it('fan_geo_avg divides by sqrt(fan_in * fan_out)', () => {
    const variance = 2 / Math.sqrt(576 * 1152)
    expect(plan({ initializer: 'jax.variance_scaling', shape: [3, 3, 64, 128], params: { scale: 2, mode: 'fan_geo_avg', distribution: 'normal' } }).recipe)
      .toEqual({ kind: 'rounded-normal', mean: 0, std: Math.sqrt(variance) })
  })

  it('he_normal: truncated at 2 sd with the 0.8796 correction; he_uniform: U(-sqrt(6/fan_in), ...)', () => {
    const sd = Math.sqrt(2 / 576) / TRUNC
    expect(plan({ initializer: 'jax.he_normal', shape: [3, 3, 64, 128] }).recipe).toEqual({ kind: 'trunc-normal', mean: 0, std: sd, low: -2 * sd, high: 2 * sd })
    const limit = Math.sqrt(3 * 2 / 576)
    expect(plan({ initializer: 'jax.kaiming_uniform', shape: [3, 3, 64, 128] }).recipe).toEqual({ kind: 'rounded-uniform', low: -limit, high: limit })
  })

  it('in_axis / out_axis / batch_axis as ints or lists', () => {
    const a = plan({ initializer: 'jax.lecun_normal', shape: [4, 3, 3, 16, 32], params: { batch_axis: 0 } }).recipe
    const b = plan({ initializer: 'jax.lecun_normal', shape: [4, 3, 3, 16, 32], params: { batch_axis: [0], in_axis: -2, out_axis: [-1] } }).recipe
    expect(a).toEqual(b)
    expect(a).toMatchObject({ std: Math.sqrt(1 / 144) / TRUNC })
  })

  it('truncated_normal: bounds in units of stddev, no correction; uniform is [0, scale)', () => {
    expect(plan({ initializer: 'jax.truncated_normal', shape: [4], params: { stddev: 0.5, lower: -1, upper: 3 } }).recipe)
      .toEqual({ kind: 'trunc-normal', mean: 0, std: 0.5, low: -0.5, high: 1.5 })
    expect(plan({ initializer: 'jax.uniform', shape: [4] }).recipe).toEqual({ kind: 'rounded-uniform', low: 0, high: 0.01 })
    const negative = sample({ initializer: 'jax.uniform', shape: [1000], params: { scale: -2 } })
    expect(negative.every((x) => x > -2 && x <= 0)).toBe(true)
  })

  it('an empty tensor is empty (JAX would divide by a zero fan)', () => {
    expect(sample({ initializer: 'jax.he_normal', shape: [0, 4] })).toHaveLength(0)
  })
})

describe('JAX errors', () => {
  it('keeps JAX\'s messages', () => {
    expect(planError({ initializer: 'jax.glorot_uniform', shape: [7] })).toEqual({
      code: 'invalid-rank', field: '/shape', message: 'Can\'t compute input and output sizes of a 1-dimensional weights tensor. Must be at least 2D.'
    })
    expect(planError({ initializer: 'jax.orthogonal', shape: [7] })).toEqual({ code: 'invalid-rank', field: '/shape', message: 'orthogonal initializer requires at least a 2D shape' })
    expect(planError({ initializer: 'jax.delta_orthogonal', shape: [4, 4] })).toEqual({ code: 'invalid-rank', field: '/shape', message: 'Delta orthogonal initializer requires a 3D, 4D or 5D shape.' })
    expect(planError({ initializer: 'jax.delta_orthogonal', shape: [3, 3, 3, 3, 4, 4] }).code).toBe('invalid-rank')
    expect(planError({ initializer: 'jax.delta_orthogonal', shape: [3, 3, 16, 8] })).toEqual({ code: 'invalid-shape', field: '/shape', message: '`fan_in` must be less or equal than `fan_out`. ' })
  })

  it('rejects bad axes and bounds on their parameter', () => {
    expect(planError({ initializer: 'jax.orthogonal', shape: [3, 4], params: { column_axis: 2 } })).toMatchObject({ code: 'invalid-parameter', field: '/params/column_axis' })
    expect(planError({ initializer: 'jax.delta_orthogonal', shape: [3, 4, 4], params: { column_axis: -3 } })).toMatchObject({ code: 'invalid-parameter', field: '/params/column_axis' })
    expect(planError({ initializer: 'jax.he_normal', shape: [3, 4], params: { out_axis: [5] } })).toMatchObject({ code: 'invalid-parameter', field: '/params/out_axis' })
    expect(planError({ initializer: 'jax.truncated_normal', shape: [3], params: { lower: 1, upper: -1 } })).toMatchObject({ code: 'invalid-parameter', field: '/params/lower' })
    expect(planError({ initializer: 'jax.variance_scaling', shape: [3, 3], params: { scale: 1, mode: 'fan_sum', distribution: 'normal' } })).toMatchObject({ code: 'invalid-parameter', field: '/params/mode' })
  })
})

describe('JAX orthogonal and delta_orthogonal structure', () => {
  /** The array with `axis` moved last, as a (rest, shape[axis]) row-major matrix. */
  function moveLast (v: ArrayLike<number>, shape: number[], axis: number): Float64Array {
    const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1)
    const cols = shape[axis]!
    const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1)
    const m = new Float64Array(outer * cols * inner)
    for (let a = 0; a < outer; a++) for (let b = 0; b < cols; b++) for (let c = 0; c < inner; c++) m[(a * inner + c) * cols + b] = v[(a * cols + b) * inner + c]!
    return m
  }

  it.each([[-1, 2], [2, 2], [0, 0], [-3, 0], [1, 1]])('column_axis %i: the columns along that axis are orthogonal', (columnAxis, axis) => {
    const shape = [6, 5, 4]
    const v = sample({ initializer: 'jax.orthogonal', shape, dtype: 'float64', params: { column_axis: columnAxis, scale: 1.5 } })
    const m = moveLast(v, shape, axis)
    const cols = shape[axis]!
    const rows = 120 / cols
    expect(orthogonalityError(m, rows, cols, 1.5, rows < cols)).toBeLessThan(1e-12)
  })

  it('delta_orthogonal: zero except the centre tap (k-1)//2, which is orthogonal with orthonormal rows', () => {
    for (const columnAxis of [-1, -2]) {
      // k = (4, 3): centre ((4-1)//2, (3-1)//2) = (1, 1), tap index 1*3 + 1 = 4 (torch's dirac would use k//2 = 2 for k = 4)
      const v = sample({ initializer: 'jax.delta_orthogonal', shape: [4, 3, 5, 8], dtype: 'float64', params: { scale: 2, column_axis: columnAxis } })
      const block = v.subarray(4 * 40, 5 * 40)
      expect([...v.subarray(0, 160), ...v.subarray(200)].every((x) => x === 0)).toBe(true)
      expect(orthogonalityError(block, 5, 8, 2, true)).toBeLessThan(1e-12)
    }
  })

  it('delta_orthogonal on 3-D and 5-D kernels', () => {
    const v3 = sample({ initializer: 'jax.delta_orthogonal', shape: [3, 4, 4], dtype: 'float32' })
    expect(orthogonalityError(v3.subarray(16, 32), 4, 4, 1, true)).toBeLessThan(1e-6)
    const v5 = sample({ initializer: 'jax.delta_orthogonal', shape: [2, 2, 2, 3, 3], dtype: 'float32' })
    expect([...v5].filter((x) => x !== 0).length).toBeGreaterThan(0)
    expect(orthogonalityError(v5.subarray(0, 9), 3, 3, 1, true)).toBeLessThan(1e-6) // centre (0, 0, 0)
  })
})
