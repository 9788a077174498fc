import { describe, expect, it } from 'vitest'
import { ERROR_CODES, TensorInitError } from '../../src/core/errors.ts'
import { buildPlan, DEFAULT_PLAN_LIMITS } from '../../src/initializers/build-plan.ts'
import { type TensorRequest } from '../../src/initializers/tensor-request.ts'
import { listInitializers } from '../../src/initializers/catalog.ts'
import { keyFromSeed, sequenceKeys, splitKey } from '../../src/random/keys.ts'

function errorOf (spec: TensorRequest, source: 'query' | 'json' = 'json'): TensorInitError {
  try {
    buildPlan(spec, source)
  } catch (err) {
    if (err instanceof TensorInitError) return err
    throw err
  }
  throw new Error(`expected a TensorInitError for ${JSON.stringify(spec)}`)
}

describe('buildPlan: MLX family', () => {
  it('reduces glorot_uniform to MLX uniform(-limit, limit) with MLX fans', () => {
    const plan = buildPlan({ initializer: 'glorot_uniform', shape: [64, 33, 3], seed: 0 }, 'json')
    // MLX (out, ..., in): fan_in = 3*33, fan_out = 64*33 (spec b.14)
    const limit = Math.sqrt(6 / (3 * 33 + 64 * 33))
    expect(plan.recipe).toEqual({ kind: 'uniform', low: -limit, high: limit })
    expect(plan.profile).toBe('mlx-0.32')
    expect(plan.dtype).toBe('float32')
    expect(plan.mlxExact).toBe(true)
    expect(plan.keys).toEqual(sequenceKeys(0n, 0, 1))
    expect(plan.keySource).toEqual({ kind: 'seed', seed: '0', draw: 0 })
  })

  it('gives he_normal std = gain/sqrt(fan) for either mode', () => {
    const fanIn = buildPlan({ initializer: 'he_normal', shape: [16, 8, 3, 3], gain: 2 }, 'json')
    expect(fanIn.recipe).toEqual({ kind: 'normal', scale: 2 / Math.sqrt(3 * 8 * 3) })
    const fanOut = buildPlan({ initializer: 'he_normal', shape: '16,8,3,3', params: { mode: 'fan_out' } }, 'query')
    expect(fanOut.recipe).toEqual({ kind: 'normal', scale: 1 / Math.sqrt(16 * 8 * 3) })
  })

  it('takes keys from the MLX sequence at the draw index, or uses an explicit key', () => {
    const plan = buildPlan({ initializer: 'normal', shape: [4], seed: '18446744073709551615', draw: 3 }, 'json')
    expect(plan.keys).toEqual(sequenceKeys(2n ** 64n - 1n, 3, 1))
    const keyed = buildPlan({ initializer: 'normal', shape: [4], key: [0, 7] }, 'json')
    expect(keyed.keys).toEqual([[0, 7]])
    expect(keyed.keys).toEqual([keyFromSeed(7n)])
    const sparse = buildPlan({ initializer: 'sparse', shape: [4, 4], params: { sparsity: 0.5 }, key: '0,7' }, 'query')
    expect(sparse.keys).toEqual(splitKey([0, 7], 2))
    const seeded = buildPlan({ initializer: 'sparse', shape: [4, 4], params: { sparsity: 0.5 }, seed: 5 }, 'json')
    expect(seeded.keys).toEqual(sequenceKeys(5n, 0, 2))
    expect(buildPlan({ initializer: 'constant', shape: [2], params: { value: 1 } }, 'json').keys).toEqual([])
  })

  it('flags float64 and orthogonal as not MLX-exact', () => {
    expect(buildPlan({ initializer: 'normal', shape: [3], dtype: 'float64' }, 'json').mlxExact).toBe(false)
    expect(buildPlan({ initializer: 'orthogonal', shape: [3, 5] }, 'json').mlxExact).toBe(false)
    expect(buildPlan({ initializer: 'uniform', shape: [3], dtype: 'bfloat16' }, 'json').mlxExact).toBe(true)
  })

  it('accepts profile aliases and integer dtypes for constant and identity', () => {
    expect(buildPlan({ initializer: 'uniform', shape: [1], profile: 'mlx' }, 'json').profile).toBe('mlx-0.32')
    expect(buildPlan({ initializer: 'uniform', shape: [1], profile: 'mlx-0.13' }, 'json').profile).toBe('mlx-0.13')
    expect(buildPlan({ initializer: 'identity', shape: [3, 3], dtype: 'int64' }, 'json').recipe).toEqual({ kind: 'eye', value: 1 })
    expect(buildPlan({ initializer: 'constant', shape: [], dtype: 'bool', params: { value: 1 } }, 'json').shape).toEqual([])
  })
})

describe('buildPlan: every bad input is a typed 4xx naming its field', () => {
  const cases: Array<[string, TensorRequest, 'query' | 'json', string, string]> = [
    ['unknown initializer', { initializer: 'he_normall', shape: [2, 2] }, 'json', 'unknown-initializer', '/initializer'],
    ['initializer not a string', { initializer: 42, shape: [2, 2] }, 'json', 'invalid-request', '/initializer'],
    ['negative dim', { initializer: 'normal', shape: [2, -1] }, 'json', 'invalid-shape', '/shape/1'],
    ['fractional dim', { initializer: 'normal', shape: [2.5] }, 'json', 'invalid-shape', '/shape/0'],
    ['text dim', { initializer: 'normal', shape: '2,x' }, 'query', 'invalid-shape', '/shape/1'],
    ['empty dim', { initializer: 'normal', shape: '2,,3' }, 'query', 'invalid-shape', '/shape/1'],
    ['shape not a list', { initializer: 'normal', shape: { a: 1 } }, 'json', 'invalid-shape', '/shape'],
    ['too many elements', { initializer: 'normal', shape: [2 ** 20, 2 ** 20] }, 'json', 'tensor-too-large', '/shape'],
    ['too many bytes', { initializer: 'normal', shape: [2 ** 31], dtype: 'float32' }, 'json', 'tensor-too-large', '/shape'],
    ['too many dims', { initializer: 'normal', shape: new Array(33).fill(1) }, 'json', 'invalid-shape', '/shape'],
    ['dtype unsupported', { initializer: 'normal', shape: [2], dtype: 'int32' }, 'json', 'unsupported-dtype', '/dtype'],
    ['dtype unknown', { initializer: 'normal', shape: [2], dtype: 'float8' }, 'json', 'unsupported-dtype', '/dtype'],
    ['gain on normal', { initializer: 'normal', shape: [2], gain: 2 }, 'json', 'unknown-parameter', '/gain'],
    ['gain twice', { initializer: 'he_normal', shape: [2, 2], gain: 2, params: { gain: 3 } }, 'json', 'invalid-request', '/gain'],
    ['non-square identity', { initializer: 'identity', shape: [2, 3] }, 'json', 'not-square', '/shape'],
    ['3-D identity', { initializer: 'identity', shape: [2, 2, 2] }, 'json', 'not-square', '/shape'],
    ['1-D glorot', { initializer: 'glorot_normal', shape: [8] }, 'json', 'invalid-rank', '/shape'],
    ['3-D sparse', { initializer: 'sparse', shape: [2, 2, 2], params: { sparsity: 0.1 } }, 'json', 'invalid-rank', '/shape'],
    ['1-D orthogonal', { initializer: 'orthogonal', shape: [4] }, 'json', 'invalid-rank', '/shape'],
    ['huge orthogonal', { initializer: 'orthogonal', shape: [2048, 2048] }, 'json', 'tensor-too-large', '/shape'],
    ['bad mode', { initializer: 'he_uniform', shape: [2, 2], params: { mode: 'fan_avg' } }, 'json', 'invalid-parameter', '/params/mode'],
    ['seed negative', { initializer: 'normal', shape: [2], seed: -1 }, 'json', 'invalid-seed', '/seed'],
    ['seed unsafe number', { initializer: 'normal', shape: [2], seed: 2 ** 53 }, 'json', 'invalid-seed', '/seed'],
    ['seed above 2^64-1', { initializer: 'normal', shape: [2], seed: '18446744073709551616' }, 'json', 'invalid-seed', '/seed'],
    ['seed with sign', { initializer: 'normal', shape: [2], seed: '+5' }, 'query', 'invalid-seed', '/seed'],
    ['seed fractional', { initializer: 'normal', shape: [2], seed: 1.5 }, 'json', 'invalid-seed', '/seed'],
    ['seed leading zero', { initializer: 'normal', shape: [2], seed: '007' }, 'query', 'invalid-seed', '/seed'],
    ['draw too big', { initializer: 'normal', shape: [2], draw: DEFAULT_PLAN_LIMITS.maxDraw + 1 }, 'json', 'invalid-draw', '/draw'],
    ['draw negative', { initializer: 'normal', shape: [2], draw: '-1' }, 'query', 'invalid-draw', '/draw'],
    ['key and seed', { initializer: 'normal', shape: [2], key: [0, 1], seed: 3 }, 'json', 'invalid-key', '/key'],
    ['key word too big', { initializer: 'normal', shape: [2], key: [0, 2 ** 32] }, 'json', 'invalid-key', '/key/1'],
    ['key of three', { initializer: 'normal', shape: [2], key: [1, 2, 3] }, 'json', 'invalid-key', '/key'],
    ['bad profile', { initializer: 'normal', shape: [2], profile: 'mlx-0.1' }, 'json', 'invalid-profile', '/profile'],
    ['bool constant 2', { initializer: 'constant', shape: [2], dtype: 'bool', params: { value: 2 } }, 'json', 'invalid-parameter', '/params/value'],
    ['int8 constant 300', { initializer: 'constant', shape: [2], dtype: 'int8', params: { value: 300 } }, 'json', 'invalid-parameter', '/params/value'],
    ['uint constant fraction', { initializer: 'constant', shape: [2], dtype: 'uint16', params: { value: 0.5 } }, 'json', 'invalid-parameter', '/params/value']
  ]
  for (const [name, spec, source, code, field] of cases) {
    it(name, () => {
      const err = errorOf(spec, source)
      expect(err.code).toBe(code)
      expect(err.field).toBe(field)
      expect(ERROR_CODES[err.code].status).toBeGreaterThanOrEqual(400)
      expect(ERROR_CODES[err.code].status).toBeLessThan(500)
      expect(err.message.length).toBeGreaterThan(10)
    })
  }

  it('uses MLX error texts', () => {
    expect(errorOf({ initializer: 'glorot_uniform', shape: [5] }).message)
      .toBe('Glorot / He initialization requires at least 2 dimensional input but input with 1 dimensions.')
    expect(errorOf({ initializer: 'identity', shape: [2, 3] }).message)
      .toBe('The input array must be a square matrix but got shape (2, 3).')
    expect(errorOf({ initializer: 'orthogonal', shape: [2, 3, 4] }).message)
      .toBe('Orthogonal initialization requires a 2D array but got a 3D array.')
  })
})

describe('catalog', () => {
  it('has the ten MLX initializers with summaries, formulas and dtypes', () => {
    const ids = listInitializers('mlx').map((e) => e.id).sort()
    expect(ids).toEqual(['constant', 'glorot_normal', 'glorot_uniform', 'he_normal', 'he_uniform', 'identity',
      'normal', 'orthogonal', 'sparse', 'uniform'])
    for (const entry of listInitializers('mlx')) {
      expect(entry.summary.length).toBeGreaterThan(10)
      expect(entry.formula.length).toBeGreaterThan(3)
      expect(entry.dtypes).toContain('float32')
    }
  })
})
