import { describe, expect, test } from 'vitest'
import { isTensorInitError } from '../../src/core/errors.ts'
import type { Plan } from '../../src/core/plan.ts'
import { PROFILES } from '../../src/core/profile.ts'
import { buildPlan } from '../../src/initializers/build-plan.ts'
import { listInitializers } from '../../src/initializers/catalog.ts'
import type { ParamValue } from '../../src/initializers/entry.ts'
import { queryFromPlan, RESERVED_QUERY_FIELDS, requestFromQuery } from '../../src/initializers/tensor-query.ts'
import { planOnFirstShape, sampleParam } from '../support/catalog-plans.ts'

/**
 * The tensor grammar's query codec, both ways: a plan written as query fields and read back
 * (as the host's GET route reads the gateway's request) is built into an equal plan.
 */

/** What a URL carries: each field once, every value a string (URLSearchParams -> record). */
function fields (query: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of query) {
    expect(out[name], `field ${name} written once`).toBeUndefined()
    out[name] = value
  }
  return out
}

function roundTrip (plan: Plan): Plan {
  // Through the text of a URL, as it travels.
  const query = new URLSearchParams(queryFromPlan(plan).toString())
  return buildPlan(requestFromQuery(plan.initializer, fields(query)), 'query')
}

describe('tensor query codec', () => {
  test('plan -> query -> request -> plan is the identity over the whole catalog, both profiles, seeds and keys', () => {
    const entries = listInitializers()
    // The whole catalog, whatever families it holds: a new entry is covered when it lands.
    expect(entries.length).toBeGreaterThanOrEqual(10)
    let reservedNamed = 0
    for (const entry of entries) {
      const params: Record<string, ParamValue> = Object.fromEntries(entry.params.filter((p) => p.required === true).map((p) => [p.name, sampleParam(p)]))
      // A parameter named like a reserved field (`gain`), set to a value that is not its default.
      for (const p of entry.params) {
        if ((RESERVED_QUERY_FIELDS as readonly string[]).includes(p.name)) {
          params[p.name] = 1.75
          reservedNamed++
        }
      }
      for (const profile of PROFILES) {
        for (const keys of [{ seed: '18446744073709551615', draw: 3 }, { key: [7, 4294967295] }] as const) {
          const plan = planOnFirstShape(entry.id, { ...keys, profile, params })
          expect(roundTrip(plan), `${entry.id} ${profile} ${JSON.stringify(keys)}`).toEqual(plan)
        }
      }
    }
    expect(reservedNamed).toBeGreaterThan(0)
  })

  test('a parameter named like a reserved field travels as params[name], never as the field', () => {
    const plan = buildPlan({ initializer: 'he_normal', shape: [8, 3], params: { gain: 2.5 } }, 'json')
    const query = fields(queryFromPlan(plan))
    expect(query['params[gain]']).toBe('2.5')
    expect(query.gain).toBeUndefined()
    // Whatever the parameter's name, the reader puts it back among the parameters only.
    const odd = { ...plan, params: Object.fromEntries(RESERVED_QUERY_FIELDS.map((name) => [name, `v-${name}`])) }
    const request = requestFromQuery(plan.initializer, fields(queryFromPlan(odd)))
    expect(request.params).toEqual(odd.params)
    expect(request.shape).toBe('8,3')
    expect(request.dtype).toBe('float32')
  })

  test('the top-level fields are read as such, and a parameter given twice is refused', () => {
    expect(requestFromQuery('he_normal', { shape: '2,2', gain: 2, format: 'npy', mode: 'fan_out' }))
      .toEqual({ initializer: 'he_normal', shape: '2,2', gain: 2, params: { mode: 'fan_out' } })
    let err: unknown
    try {
      requestFromQuery('he_normal', { shape: '2,2', mode: 'fan_in', 'params[mode]': 'fan_out' })
    } catch (e) {
      err = e
    }
    expect(isTensorInitError(err) && [err.code, err.field]).toEqual(['invalid-parameter', '/mode'])
  })
})
