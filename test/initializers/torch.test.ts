import { describe, expect, it } from 'vitest'
import { findInitializer, listInitializers } from '../../src/initializers/catalog.ts'
import type { DType } from '../../src/core/dtype.ts'
import { orthogonalityError, plan, planError, sample } from './sample.ts'

/**
 * The PyTorch family (torch/nn/init.py): catalog and deprecated aliases, std/bound formulas with
 * calculate_gain, torch's error texts, and the structure of eye_/dirac_/orthogonal_/sparse_.
 */

describe('PyTorch catalog', () => {
  it('serves every torch.nn.init function', () => {
    expect(listInitializers('torch').map((e) => e.id)).toEqual([
      'torch.uniform_', 'torch.normal_', 'torch.trunc_normal_', 'torch.constant_', 'torch.ones_', 'torch.zeros_', 'torch.eye_',
      'torch.dirac_', 'torch.xavier_uniform_', 'torch.xavier_normal_', 'torch.kaiming_uniform_', 'torch.kaiming_normal_',
      'torch.orthogonal_', 'torch.sparse_'
    ])
  })

  it.each(['uniform', 'normal', 'constant', 'eye', 'dirac', 'xavier_uniform', 'xavier_normal', 'kaiming_uniform', 'kaiming_normal', 'orthogonal', 'sparse'])(
    'the deprecated torch.%s resolves to the underscore function', (name) => {
      expect(findInitializer(`torch.${name}`)?.id).toBe(`torch.${name}_`)
    })

  it('fills in torch\'s defaults', () => {
    expect(plan({ initializer: 'torch.kaiming_normal_', shape: [4, 4] }).params).toEqual({ a: 0, mode: 'fan_in', nonlinearity: 'leaky_relu' })
    expect(plan({ initializer: 'torch.trunc_normal_', shape: [4] }).params).toEqual({ mean: 0, std: 1, a: -2, b: 2 })
    expect(plan({ initializer: 'torch.sparse_', shape: [4, 4], params: { sparsity: 0.5 } }).params).toEqual({ sparsity: 0.5, std: 0.01 })
  })
})

describe('PyTorch std and bound formulas', () => {
  it('kaiming_normal_: std = calculate_gain(nonlinearity, a) / sqrt(fan)', () => {
    // Conv2d weight (out 32, in 16, 3, 3): fan_in 144, fan_out 288
    expect(plan({ initializer: 'torch.kaiming_normal_', shape: [32, 16, 3, 3] }).recipe).toEqual({ kind: 'rounded-normal', mean: 0, std: Math.SQRT2 / Math.sqrt(144) })
    expect(plan({ initializer: 'torch.kaiming_normal_', shape: [32, 16, 3, 3], params: { a: 0.2, mode: 'fan_out' } }).recipe)
      .toEqual({ kind: 'rounded-normal', mean: 0, std: Math.sqrt(2 / 1.04) / Math.sqrt(288) })
    expect(plan({ initializer: 'torch.kaiming_normal_', shape: [32, 16, 3, 3], params: { nonlinearity: 'selu' } }).recipe)
      .toEqual({ kind: 'rounded-normal', mean: 0, std: 0.75 / Math.sqrt(144) })
  })

  it('kaiming_uniform_: bound = sqrt(3) * gain / sqrt(fan); a = sqrt(5) is nn.Linear\'s U(+-1/sqrt(fan_in))', () => {
    const bound = Math.sqrt(3) * Math.SQRT2 / Math.sqrt(784)
    expect(plan({ initializer: 'torch.kaiming_uniform_', shape: [256, 784] }).recipe).toEqual({ kind: 'rounded-uniform', low: -bound, high: bound })
    const linear = plan({ initializer: 'torch.kaiming_uniform_', shape: [256, 784], params: { a: Math.sqrt(5) } }).recipe
    expect(linear).toMatchObject({ kind: 'rounded-uniform' })
    expect((linear as { high: number }).high).toBeCloseTo(1 / 28, 15)
  })

  it('xavier_*: std = gain * sqrt(2 / (fan_in + fan_out)), uniform bound sqrt(3) * std', () => {
    const std = 3 * Math.sqrt(2 / (64 * 5 + 8 * 5))
    expect(plan({ initializer: 'torch.xavier_normal_', shape: [8, 64, 5], params: { gain: 3 } }).recipe).toEqual({ kind: 'rounded-normal', mean: 0, std })
    expect(plan({ initializer: 'torch.xavier_uniform_', shape: [8, 64, 5], params: { gain: 3 } }).recipe)
      .toEqual({ kind: 'rounded-uniform', low: -Math.sqrt(3) * std, high: Math.sqrt(3) * std })
  })

  it('trunc_normal_ keeps a and b absolute', () => {
    expect(plan({ initializer: 'torch.trunc_normal_', shape: [4], params: { mean: 1, std: 0.02, a: -2, b: 2 } }).recipe)
      .toEqual({ kind: 'trunc-normal', mean: 1, std: 0.02, low: -2, high: 2 })
  })

  it('a zero-element tensor is a no-op, as in torch', () => {
    expect(sample({ initializer: 'torch.kaiming_normal_', shape: [0, 16] })).toHaveLength(0)
    expect(sample({ initializer: 'torch.xavier_uniform_', shape: [16, 0, 3] })).toHaveLength(0)
  })
})

describe('PyTorch errors', () => {
  it.each([
    ['torch.kaiming_normal_', [10], 'Fan in and fan out can not be computed for tensor with fewer than 2 dimensions'],
    ['torch.xavier_uniform_', [], 'Fan in and fan out can not be computed for tensor with fewer than 2 dimensions'],
    ['torch.eye_', [2, 2, 2], 'Only tensors with 2 dimensions are supported'],
    ['torch.sparse_', [4], 'Only tensors with 2 dimensions are supported'],
    ['torch.dirac_', [4, 4], 'Only tensors with 3, 4, or 5 dimensions are supported'],
    ['torch.dirac_', [2, 2, 2, 2, 2, 2], 'Only tensors with 3, 4, or 5 dimensions are supported'],
    ['torch.orthogonal_', [5], 'Only tensors with 2 or more dimensions are supported']
  ])('%s on shape %j: "%s"', (initializer, shape, message) => {
    const params = initializer === 'torch.sparse_' ? { sparsity: 0.1 } : {}
    expect(planError({ initializer, shape, params })).toEqual({ code: 'invalid-rank', field: '/shape', message })
  })

  it('rejects bad parameters with torch\'s meaning', () => {
    expect(planError({ initializer: 'torch.dirac_', shape: [6, 4, 3], params: { groups: 4 } })).toEqual({ code: 'invalid-parameter', field: '/params/groups', message: 'dim 0 must be divisible by groups' })
    expect(planError({ initializer: 'torch.dirac_', shape: [6, 4, 3], params: { groups: 0 } })).toMatchObject({ code: 'invalid-parameter', field: '/params/groups' })
    expect(planError({ initializer: 'torch.uniform_', shape: [3], params: { a: 1, b: 0 } })).toMatchObject({ code: 'invalid-parameter', field: '/params/a' })
    expect(planError({ initializer: 'torch.normal_', shape: [3], params: { std: -1 } })).toMatchObject({ code: 'invalid-parameter', field: '/params/std' })
    expect(planError({ initializer: 'torch.trunc_normal_', shape: [3], params: { std: 0 } })).toMatchObject({ code: 'invalid-parameter', field: '/params/std' })
    expect(planError({ initializer: 'torch.trunc_normal_', shape: [3], params: { a: 2, b: -2 } })).toMatchObject({ code: 'invalid-parameter', field: '/params/a' })
    expect(planError({ initializer: 'torch.trunc_normal_', shape: [3], params: { a: 40, b: 41 } }).message).toContain('more than 37 standard deviations')
    expect(planError({ initializer: 'torch.kaiming_uniform_', shape: [3, 3], params: { nonlinearity: 'gelu' } })).toMatchObject({ code: 'invalid-parameter', field: '/params/nonlinearity' })
    expect(planError({ initializer: 'torch.kaiming_uniform_', shape: [3, 3], params: { mode: 'fan_avg' } })).toMatchObject({ code: 'invalid-parameter', field: '/params/mode' })
    // calculate_gain: "negative_slope True not a valid number" (a bool is no slope)
    expect(planError({ initializer: 'torch.kaiming_uniform_', shape: [3, 3], params: { a: true } })).toMatchObject({ code: 'invalid-parameter', field: '/params/a' })
    expect(planError({ initializer: 'torch.sparse_', shape: [3, 3] })).toMatchObject({ code: 'missing-parameter', field: '/params/sparsity' })
    expect(planError({ initializer: 'torch.sparse_', shape: [3, 3], params: { sparsity: 1.5 } })).toMatchObject({ code: 'invalid-parameter', field: '/params/sparsity' })
    expect(planError({ initializer: 'torch.sparse_', shape: [2 ** 22 + 1, 2], params: { sparsity: 0.5 } })).toMatchObject({ code: 'tensor-too-large', field: '/shape' })
    expect(planError({ initializer: 'torch.constant_', shape: [3] })).toMatchObject({ code: 'missing-parameter', field: '/params/val' })
    expect(planError({ initializer: 'torch.constant_', shape: [3], dtype: 'bool', params: { val: 2 } })).toMatchObject({ code: 'invalid-parameter', field: '/params/val' })
  })

  it('still samples a far but representable interval in its own tail', () => {
    const v = sample({ initializer: 'torch.trunc_normal_', shape: [1000], params: { mean: 0, std: 0.1, a: 3, b: 3.0001 } })
    expect(v.every((x) => x >= 3 && x <= 3.0001)).toBe(true)
  })
})

describe('PyTorch structure', () => {
  it('eye_ is the identity for any 2-D shape and dtype', () => {
    for (const dtype of ['float32', 'float16', 'int32', 'bool'] as DType[]) {
      expect([...sample({ initializer: 'torch.eye_', shape: [2, 4], dtype })]).toEqual([1, 0, 0, 0, 0, 1, 0, 0])
    }
  })

  it('dirac_ passes each group\'s inputs through at the centre tap k//2', () => {
    // (out 4, in 2, k 4): groups 2 -> out_per_group 2, min_dim 2; centre index 4 // 2 = 2.
    const v = sample({ initializer: 'torch.dirac_', shape: [4, 2, 4], params: { groups: 2 } })
    const want = new Array(32).fill(0)
    for (const [o, i] of [[0, 0], [1, 1], [2, 0], [3, 1]]) want[(o! * 2 + i!) * 4 + 2] = 1
    expect([...v]).toEqual(want)
  })

  it('orthogonal_ flattens to (shape[0], prod(shape[1:])) and scales by gain', () => {
    const rows = sample({ initializer: 'torch.orthogonal_', shape: [8, 3, 2, 2], dtype: 'float64', params: { gain: 0.5 } })
    expect(orthogonalityError(rows, 8, 12, 0.5, true)).toBeLessThan(1e-12)
    const cols = sample({ initializer: 'torch.orthogonal_', shape: [20, 3], dtype: 'float64' })
    expect(orthogonalityError(cols, 20, 3, 1, false)).toBeLessThan(1e-12)
  })

  it('sparse_ zeroes ceil(sparsity * rows) entries of every column', () => {
    const v = sample({ initializer: 'torch.sparse_', shape: [10, 30], params: { sparsity: 0.25, std: 1 } })
    for (let c = 0; c < 30; c++) {
      let zeros = 0
      for (let r = 0; r < 10; r++) if (v[r * 30 + c] === 0) zeros++
      expect(zeros).toBe(3)
    }
    expect(plan({ initializer: 'torch.sparse_', shape: [10, 30], params: { sparsity: 0.25 } }).keys).toHaveLength(2)
  })
})
