import { describe, expect, test } from 'vitest'
import { useApp } from '../../support/helper.ts'

const getApp = useApp({ limits: { jsonMaxElements: 1000 } })

describe('the JSON representation', () => {
  test('nested lists in C order with the values of the binary tensor', async () => {
    const { app } = getApp()
    const res = await app.inject('/v1/tensors/he_normal/json?shape=3,4&seed=11')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(res.headers['accept-ranges']).toBe('none')
    expect(res.headers['x-tensor-initializer']).toBe('he_normal')
    const body = res.json()
    expect(Object.keys(body)).toEqual(['shape', 'dtype', 'profile', 'data'])
    expect(body).toMatchObject({ shape: [3, 4], dtype: 'float32', profile: 'mlx-0.32' })
    const raw = (await app.inject('/v1/tensors/he_normal?shape=3,4&seed=11')).rawPayload
    const floats = Array.from({ length: 12 }, (_, i) => raw.readFloatLE(4 * i))
    expect((body.data as number[][]).flat().map((x) => Math.fround(x))).toEqual(floats)
    expect(body.data).toHaveLength(3)
    // Shortest round-trip decimals: no float32 needs more than 9 significant digits.
    expect(res.body).not.toMatch(/\d{11}/)
  })

  test('POST /v1/tensors/json gives the same document as the GET', async () => {
    const { app } = getApp()
    const get = await app.inject('/v1/tensors/uniform/json?shape=5&seed=2&low=-3&high=3&dtype=float16')
    const post = await app.inject({ method: 'POST', url: '/v1/tensors/json', payload: { initializer: 'uniform', shape: [5], seed: 2, params: { low: -3, high: 3 }, dtype: 'float16' } })
    expect(post.statusCode).toBe(200)
    expect(post.body).toBe(get.body)
    expect(post.headers.etag).toBe(get.headers.etag)
  })

  test('integers, booleans and scalars', async () => {
    const { app } = getApp()
    expect((await app.inject('/v1/tensors/identity/json?shape=2,2&dtype=int32')).json().data).toEqual([[1, 0], [0, 1]])
    expect((await app.inject('/v1/tensors/identity/json?shape=2,2&dtype=bool')).json().data).toEqual([[true, false], [false, true]])
    expect((await app.inject('/v1/tensors/constant/json?shape=&value=0.1')).json().data).toBe(0.1)
  })

  test('beyond JSON_MAX_ELEMENTS: 413 pointing to the binary formats, before any work', async () => {
    const { app, engine } = getApp()
    const before = engine.chunksComputed
    const res = await app.inject('/v1/tensors/uniform/json?shape=1001')
    expect(res.statusCode).toBe(413)
    expect(res.json()).toMatchObject({ code: 'json-too-large', field: '/shape' })
    expect(res.json().detail).toMatch(/application\/x-npy/)
    expect(engine.chunksComputed).toBe(before)
  })

  test('a parameter whose tensor would hold infinities is refused before any work: 400 on the field', async () => {
    // 1e39 is beyond float32's largest finite value: the tensor would be all +inf, which JSON
    // cannot represent and no client wants (the encoder's own 406 for non-finite elements is
    // tested in test/formats/json.test.ts).
    const { app, engine } = getApp()
    const before = engine.chunksComputed
    const res = await app.inject('/v1/tensors/constant/json?shape=2&value=1e39')
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ code: 'invalid-parameter', field: '/value' })
    expect(engine.chunksComputed).toBe(before)
  })

  test('HEAD has the GET\'s headers except Content-Length, and computes nothing', async () => {
    const { app, engine } = getApp()
    const get = await app.inject('/v1/tensors/uniform/json?shape=6&seed=3')
    const before = engine.chunksComputed
    const head = await app.inject({ method: 'HEAD', url: '/v1/tensors/uniform/json?shape=6&seed=3' })
    expect(engine.chunksComputed).toBe(before)
    expect(head.statusCode).toBe(200)
    expect(head.body).toBe('')
    expect(head.headers.etag).toBe(get.headers.etag)
    expect(head.headers['content-type']).toBe(get.headers['content-type'])
    expect(head.headers['content-length']).toBeUndefined()
  })

  test('If-None-Match answers 304', async () => {
    const { app } = getApp()
    const get = await app.inject('/v1/tensors/uniform/json?shape=6&seed=3')
    const again = await app.inject({ url: '/v1/tensors/uniform/json?shape=6&seed=3', headers: { 'if-none-match': get.headers.etag as string } })
    expect(again.statusCode).toBe(304)
    expect(again.body).toBe('')
  })
})
