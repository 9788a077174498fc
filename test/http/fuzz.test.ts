import fc from 'fast-check'
import type { LightMyRequestResponse } from 'fastify'
import Value from 'typebox/value'
import { describe, expect, test } from 'vitest'
import { ProblemSchema } from '../../src/http/schemas/problem.ts'
import { listInitializers } from '../../src/initializers/catalog.ts'
import { useApp } from '../support/helper.ts'

// Small limits: a request the generators happen to make valid stays cheap to compute.
const getApp = useApp({ limits: { maxElements: 4096, jsonMaxElements: 512 } })

const ids = listInitializers().map((e) => e.id)
const paramNames = [...new Set(listInitializers().flatMap((e) => e.params.map((p) => p.name)))]

const junkText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('', ' ', ',', '-1', '1e400', 'NaN', 'Infinity', '-0', '0x10', '1.5', 'null', 'true', '[]', '{}', '%00', '١٢')
)
const numberText = fc.oneof(
  fc.integer({ min: -5, max: 70 }).map(String),
  fc.double().map(String),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
  junkText
)
const shapeText = fc.oneof(
  fc.array(fc.integer({ min: -2, max: 70 }), { maxLength: 5 }).map((a) => a.join(',')),
  fc.array(numberText, { maxLength: 40 }).map((a) => a.join(',')),
  junkText
)
const queryValue = fc.oneof(numberText, junkText, fc.array(junkText, { minLength: 2, maxLength: 3 }))

/** Mostly plausible, sometimes junk: each request then has a fair chance of being valid. */
function mostly<T, U> (good: fc.Arbitrary<T>, bad: fc.Arbitrary<U>): fc.Arbitrary<T | U> {
  return fc.oneof({ weight: 6, arbitrary: good }, { weight: 1, arbitrary: bad })
}
const goodShape = fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 2, maxLength: 3 })
const goodIds = ['uniform', 'normal', 'he_normal', 'glorot_uniform', 'identity', 'he_uniform']

const queryArb = fc.record({
  shape: mostly(goodShape.map((a) => a.join(',')), shapeText),
  dtype: fc.option(mostly(fc.constantFrom('float32', 'float16', 'bfloat16', 'float64', 'int8', 'uint64', 'bool'), junkText), { nil: undefined }),
  seed: fc.option(mostly(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String), numberText), { nil: undefined }),
  draw: fc.option(mostly(fc.integer({ min: 0, max: 1000 }).map(String), numberText), { nil: undefined }),
  key: fc.option(fc.oneof(fc.tuple(numberText, numberText).map(([a, b]) => `${a},${b}`), junkText), { freq: 8, nil: undefined }),
  gain: fc.option(numberText, { freq: 4, nil: undefined }),
  profile: fc.option(mostly(fc.constantFrom('mlx', 'mlx-0.13', 'mlx-0.32'), junkText), { nil: undefined }),
  format: fc.option(mostly(fc.constantFrom('raw', 'npy', 'safetensors', 'json'), junkText), { nil: undefined })
}, { requiredKeys: ['shape'] })
const extraArb = fc.option(fc.dictionary(fc.oneof(fc.constantFrom(...paramNames), fc.string({ maxLength: 12 })), queryValue, { maxKeys: 3 }), { freq: 3, nil: {} })
const headerArb = fc.record({
  accept: fc.option(fc.oneof(fc.constantFrom('*/*', 'application/json', 'application/x-npy;q=0.5, */*;q=0.1', 'text/html', ''), junkText), { nil: undefined }),
  range: fc.option(fc.oneof(fc.constantFrom('bytes=0-10', 'bytes=-5', 'bytes=100000-', 'bytes=0-1,3-4'), junkText), { nil: undefined }),
  'if-none-match': fc.option(fc.oneof(fc.constantFrom('*', '"x"', 'W/"x"'), junkText), { nil: undefined })
}, { requiredKeys: [] })

/** Header values must be latin1 without control characters to be sendable at all. */
function sendable (headers: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => e[1] !== undefined && /^[\x20-\x7e]*$/.test(e[1])))
}

/** Outcomes seen, by status and code: the generators must reach both valid and invalid requests. */
const seen = new Map<string, number>()

function checkAnswer (res: LightMyRequestResponse, what: string): void {
  const outcome = res.statusCode >= 400 ? `${res.statusCode} ${String(res.json().code)}` : String(res.statusCode)
  seen.set(outcome, (seen.get(outcome) ?? 0) + 1)
  expect(res.statusCode, `${what} -> ${res.statusCode} ${res.body.slice(0, 300)}`).toBeLessThan(500)
  if (res.statusCode >= 400) {
    expect(res.headers['content-type'], what).toBe('application/problem+json; charset=utf-8')
    const problem = res.json()
    expect(Value.Check(ProblemSchema, problem), `${what}: ${res.body}`).toBe(true)
    expect(problem.status).toBe(res.statusCode)
  } else {
    expect([200, 206, 303, 304, 307], what).toContain(res.statusCode)
  }
}

describe('fuzz: malformed requests only ever get 4xx problem+json (or a success)', () => {
  test('GET /v1/tensors/{id} and /json with generated ids, queries and headers', async () => {
    const { app } = getApp()
    await fc.assert(fc.asyncProperty(
      mostly(fc.constantFrom(...goodIds), fc.oneof(fc.constantFrom(...ids), fc.string({ maxLength: 30 }), fc.string({ unit: 'grapheme', maxLength: 10 }))),
      queryArb, extraArb, headerArb, fc.boolean(), fc.constantFrom('GET', 'HEAD'),
      async (id, query, extra, headers, json, method) => {
        const search = new URLSearchParams()
        for (const [name, value] of Object.entries({ ...query, ...extra })) {
          if (value === undefined) continue
          for (const v of Array.isArray(value) ? value : [value]) search.append(name, v)
        }
        const url = `/v1/tensors/${encodeURIComponent(id)}${json ? '/json' : ''}?${search.toString()}`
        const res = await app.inject({ method: method as 'GET' | 'HEAD', url, headers: sendable(headers) })
        if (method === 'HEAD') {
          expect(res.statusCode, url).toBeLessThan(500)
          return
        }
        checkAnswer(res, `${method} ${url}`)
      }
    ), { numRuns: 300, seed: 20261123 })
  }, 120_000)

  test('POST /v1/tensors and /json with generated bodies, junk JSON included', async () => {
    const { app } = getApp()
    const value = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.double(), fc.bigInt().map(String), fc.constantFrom(1e308, -1e308, 2 ** 64, -0))
    const body = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record({
          initializer: mostly(fc.constantFrom(...goodIds), fc.oneof(fc.constantFrom(...ids), value, fc.record({ class_name: fc.oneof(fc.constantFrom('HeNormal', 'GlorotUniform', 'Zeros'), value), config: fc.dictionary(fc.string({ maxLength: 8 }), value, { maxKeys: 3 }) }, { requiredKeys: [] }))),
          shape: mostly(goodShape, fc.oneof(fc.array(fc.integer({ min: -2, max: 70 }), { maxLength: 5 }), value)),
          dtype: mostly(fc.constantFrom('float32', 'float16', 'int8', 'bool'), value),
          seed: mostly(fc.oneof(fc.integer({ min: 0 }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String)), value),
          draw: mostly(fc.integer({ min: 0, max: 1000 }), value),
          key: fc.oneof(fc.tuple(fc.integer(), fc.integer()), value),
          gain: mostly(fc.double({ min: -4, max: 4, noNaN: true }), value),
          params: fc.oneof(fc.dictionary(fc.oneof(fc.constantFrom(...paramNames), fc.string({ maxLength: 8 })), value, { maxKeys: 3 }), value),
          profile: mostly(fc.constantFrom('mlx', 'mlx-0.13'), value),
          format: mostly(fc.constantFrom('raw', 'npy', 'safetensors', 'json'), value)
        }, { requiredKeys: ['initializer', 'shape'] }).chain((o) => fc.subarray(Object.keys(o), { maxLength: 3 }).map((keep) => {
          // Drop a random subset of the optional members, so valid requests come up regularly.
          const picked: Record<string, unknown> = { initializer: o.initializer, shape: o.shape }
          for (const k of keep) picked[k] = (o as Record<string, unknown>)[k]
          return JSON.stringify(picked)
        }))
      },
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 60 }),
      fc.string({ unit: 'binary', maxLength: 60 })
    )
    await fc.assert(fc.asyncProperty(body, headerArb, fc.boolean(), async (payload, headers, json) => {
      const url = json ? '/v1/tensors/json' : '/v1/tensors'
      const res = await app.inject({ method: 'POST', url, payload, headers: { ...sendable(headers), 'content-type': 'application/json' } })
      checkAnswer(res, `POST ${url} ${payload.slice(0, 200)}`)
    }), { numRuns: 300, seed: 20261124 })
  }, 120_000)

  test('the server still answers afterwards, and the generators reached many outcomes', async () => {
    expect(seen.get('200') ?? 0).toBeGreaterThan(20)
    expect([...seen.keys()].filter((k) => k.startsWith('4')).length).toBeGreaterThan(10)
    const res = await getApp().app.inject('/healthz')
    expect(res.statusCode).toBe(200)
  })
})
