import Value from 'typebox/value'
import type { LightMyRequestResponse } from 'fastify'
import { describe, expect, test } from 'vitest'
import { ProblemSchema } from '../../src/http/schemas/problem.ts'
import { useApp } from '../support/helper.ts'

const getApp = useApp({ limits: { maxElements: 1_000_000 } })

function expectProblem (res: LightMyRequestResponse, status: number, members: Record<string, unknown>): void {
  expect(res.statusCode, res.body).toBe(status)
  expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8')
  expect(res.headers['cache-control']).toBe('no-store')
  expect(res.headers.etag).toBeUndefined()
  const body = res.json()
  expect(Value.Check(ProblemSchema, body), JSON.stringify(Value.Errors(ProblemSchema, body))).toBe(true)
  expect(body).toMatchObject({ status, type: `/problems/${String(members.code)}`, ...members })
  expect(body.requestId).toBe(res.headers['x-request-id'])
}

const post = async (payload: unknown, headers: Record<string, string> = {}) => await getApp().app.inject({
  method: 'POST',
  url: '/v1/tensors',
  headers: { 'content-type': 'application/json', ...headers },
  payload: typeof payload === 'string' ? payload : JSON.stringify(payload)
})

describe('plan errors become problems naming the field', () => {
  test.each([
    ['/v1/tensors/he_normal?shape=2,-3', 400, 'invalid-shape', '/shape/1'],
    ['/v1/tensors/he_normal?shape=2,x', 400, 'invalid-shape', '/shape/1'],
    ['/v1/tensors/he_normal?shape=5000,5000', 413, 'tensor-too-large', '/shape'],
    ['/v1/tensors/he_normal?shape=4', 400, 'invalid-rank', '/shape'],
    ['/v1/tensors/identity?shape=2,3', 400, 'not-square', '/shape'],
    ['/v1/tensors/identity?shape=2,2&gain=2', 400, 'unknown-parameter', '/gain'],
    ['/v1/tensors/he_normal?shape=2,2&mode=sideways', 400, 'invalid-parameter', '/mode'],
    ['/v1/tensors/he_normal?shape=2,2&params[mode]=sideways', 400, 'invalid-parameter', '/mode'],
    ['/v1/tensors/he_normal?shape=2,2&flavour=1', 400, 'unknown-parameter', '/flavour'],
    ['/v1/tensors/he_normal?shape=2,2&dtype=int8', 400, 'unsupported-dtype', '/dtype'],
    ['/v1/tensors/he_normal?shape=2,2&dtype=float128', 400, 'unsupported-dtype', '/dtype'],
    ['/v1/tensors/he_normal?shape=2,2&seed=-1', 400, 'invalid-seed', '/seed'],
    ['/v1/tensors/he_normal?shape=2,2&seed=18446744073709551616', 400, 'invalid-seed', '/seed'],
    ['/v1/tensors/he_normal?shape=2,2&profile=mlx-0.1', 400, 'invalid-profile', '/profile'],
    ['/v1/tensors/he_normal?shape=2,2&draw=-1', 400, 'invalid-draw', '/draw'],
    ['/v1/tensors/he_normal?shape=2,2&key=1', 400, 'invalid-key', '/key'],
    ['/v1/tensors/he_normal?shape=2,2&key=1,2&seed=3', 400, 'invalid-key', '/key'],
    ['/v1/tensors/sparse?shape=2,2', 400, 'missing-parameter', '/sparsity'],
    ['/v1/tensors/he_normal?shape=2,2&format=pickle', 400, 'invalid-request', '/format'],
    ['/v1/tensors/he_normal', 400, 'invalid-shape', '/shape'],
    ['/v1/tensors/no_such_init?shape=2,2', 404, 'unknown-initializer', '/path/id']
  ])('GET %s -> %i %s at %s', async (url, status, code, field) => {
    expectProblem(await getApp().app.inject(url), status, { code, field })
  })

  test.each([
    [{ initializer: 'he_normal', shape: [2, -1] }, 400, 'invalid-shape', '/shape/1'],
    [{ initializer: 'he_normal', shape: '2,2' }, 400, 'invalid-shape', '/shape'],
    [{ initializer: 'he_normal', shape: [2, 2], seed: true }, 400, 'invalid-seed', '/seed'],
    [{ initializer: 'he_normal', shape: [2, 2], seed: '42x' }, 400, 'invalid-seed', '/seed'],
    [{ initializer: 'he_normal', shape: [2, 2], gain: '2' }, 400, 'invalid-parameter', '/gain'],
    [{ initializer: 'he_normal', shape: [2, 2], params: { mode: 'sideways' } }, 400, 'invalid-parameter', '/params/mode'],
    [{ initializer: 'he_normal', shape: [2, 2], params: { flavour: 1 } }, 400, 'unknown-parameter', '/params/flavour'],
    [{ initializer: 'he_normal', shape: [2, 2], key: [1, 2, 3] }, 400, 'invalid-key', '/key'],
    [{ initializer: 'he_normal', shape: [2, 2], key: [1, 2 ** 32] }, 400, 'invalid-key', '/key/1'],
    [{ initializer: 'he_normal', shape: [2, 2], shpae: [2] }, 400, 'invalid-request', '/shpae'],
    [{ shape: [2, 2] }, 400, 'invalid-request', '/initializer'],
    [{ initializer: 42, shape: [2, 2] }, 400, 'invalid-request', '/initializer'],
    [{ initializer: 'nope', shape: [2, 2] }, 404, 'unknown-initializer', '/initializer'],
    [[1, 2], 400, 'invalid-request', '']
  ])('POST %j -> %i %s at %s', async (payload, status, code, field) => {
    expectProblem(await post(payload), status, { code, field })
  })
})

describe('transport errors become problems too', () => {
  test('malformed JSON', async () => {
    expectProblem(await post('{"initializer": "he_normal", '), 400, { code: 'invalid-request' })
  })

  test('empty JSON body', async () => {
    expectProblem(await post(''), 400, { code: 'invalid-request' })
  })

  test('a body that is not JSON is 415 and lists what is accepted', async () => {
    const res = await post('shape=2,2', { 'content-type': 'application/x-www-form-urlencoded' })
    expectProblem(res, 415, { code: 'unsupported-media-type', accept: ['application/json'] })
  })

  test('a body over the limit is 413', async () => {
    const res = await post({ initializer: 'he_normal', shape: new Array(600_000).fill(1) })
    expectProblem(res, 413, { code: 'payload-too-large', limit: 1024 * 1024 })
  })

  test('an unknown route is a 404 problem', async () => {
    expectProblem(await getApp().app.inject('/v2/tensors'), 404, { code: 'not-found', instance: '/v2/tensors' })
    expectProblem(await getApp().app.inject({ method: 'DELETE', url: '/v2/tensors/he_normal' }), 404, { code: 'not-found' })
  })

  test('a method a known resource does not answer is a 405 problem with Allow (RFC 9110 §15.5.6)', async () => {
    for (const [method, url, allow] of [
      ['DELETE', '/v1/tensors/he_normal?shape=2,2', 'GET, HEAD'],
      ['PUT', '/v1/tensors', 'POST'],
      ['GET', '/v1/checkpoints', 'POST'],
      ['POST', '/healthz', 'GET, HEAD']
    ] as const) {
      const res = await getApp().app.inject({ method, url })
      expectProblem(res, 405, { code: 'method-not-allowed' })
      expect(res.headers.allow, `${method} ${url}`).toBe(allow)
      expect(res.json().detail).toContain(allow)
    }
  })

  test('a body over a route\'s own, larger limit reports that limit', async () => {
    const name = 'x'.repeat(1000)
    const tensors = Array.from({ length: 17_000 }, (_, i) => ({ name: `${name}${i}`, shape: [1], initializer: 'normal' }))
    const res = await getApp().app.inject({ method: 'POST', url: '/v1/checkpoints', payload: { tensors } })
    expectProblem(res, 413, { code: 'payload-too-large', limit: 16 * 1024 * 1024 })
    expect(res.json().detail).toBe(`The request body exceeds ${16 * 1024 * 1024} bytes.`)
  })

  test('a malformed URL is a 400 problem', async () => {
    expectProblem(await getApp().app.inject('/v1/tensors/%E0%A4%A'), 400, { code: 'invalid-request' })
  })
})
