import { describe, expect, test } from 'vitest'
import { defaultConfig } from '../../../src/config.ts'
import { tensorPath } from '../../../src/engines/remote/tensor-path.ts'
import { planFromQuery } from '../../../src/http/plan-request.ts'
import { listInitializers } from '../../../src/initializers/catalog.ts'
import { buildPlan } from '../../../src/initializers/build-plan.ts'
import { planOnFirstShape, sampleParam } from '../../support/catalog-plans.ts'
import type { Plan } from '../../../src/core/plan.ts'

const limits = defaultConfig().limits

/** What a host does with the gateway's request: the path's id and query through the GET route's parser. */
function hostPlan (path: string): Plan {
  const url = new URL(path, 'http://host.invalid')
  const id = decodeURIComponent(url.pathname.slice('/v1/tensors/'.length))
  const query: Record<string, string> = {}
  for (const [name, value] of url.searchParams) {
    expect(query[name], `field ${name} sent once`).toBeUndefined()
    query[name] = value
  }
  expect(query.format).toBe('raw')
  return planFromQuery(id, query as Parameters<typeof planFromQuery>[1], limits)
}

describe('tensorPath', () => {
  test('every catalog entry, with its defaults, reaches a host as the same plan', () => {
    const entries = listInitializers()
    // The whole catalog, whatever families it holds: a new entry is covered when it lands.
    expect(entries.length).toBeGreaterThanOrEqual(10)
    for (const entry of entries) {
      const params = Object.fromEntries(entry.params.filter((p) => p.required === true).map((p) => [p.name, sampleParam(p)]))
      const plan = planOnFirstShape(entry.id, { seed: 7, draw: 3, params }, limits)
      expect(hostPlan(tensorPath(plan)), entry.id).toEqual(plan)
    }
  })

  test('explicit keys, 64-bit seeds, profiles and dtypes survive', () => {
    const plans = [
      buildPlan({ initializer: 'he_normal', shape: [8, 3], key: [1, 4294967295], dtype: 'bfloat16', params: { mode: 'fan_out' }, gain: 2.5 }, 'json', limits),
      buildPlan({ initializer: 'uniform', shape: [3, 5], seed: '18446744073709551615', draw: 999, profile: 'mlx-0.13', dtype: 'float16', params: { low: -0.1, high: 1e-7 } }, 'json', limits),
      buildPlan({ initializer: 'sparse', shape: [10, 4], seed: 1, params: { sparsity: 0.3, std: 0.02 } }, 'json', limits),
      buildPlan({ initializer: 'constant', shape: [], dtype: 'int64', params: { value: -(2 ** 53) + 1 } }, 'json', limits)
    ]
    for (const plan of plans) expect(hostPlan(tensorPath(plan))).toEqual(plan)
  })

  test('numbers keep every bit, the sign of zero included', () => {
    for (const value of [0.1, 1 / 3, -0, 5e-324, 1.7976931348623157e308, 123456789.123]) {
      const plan = buildPlan({ initializer: 'constant', shape: [2], dtype: 'float64', params: { value } }, 'json', limits)
      const back = hostPlan(tensorPath(plan))
      expect(Object.is(back.params.value, value), String(value)).toBe(true)
    }
  })

  test('ids that need escaping are escaped', () => {
    const plan = planOnFirstShape('uniform', {}, limits)
    expect(tensorPath({ ...plan, initializer: 'keras.HeNormal' }).startsWith('/v1/tensors/keras.HeNormal?')).toBe(true)
    const odd = { ...plan, initializer: 'a/b?c' }
    expect(tensorPath(odd).startsWith('/v1/tensors/a%2Fb%3Fc?')).toBe(true)
  })
})
