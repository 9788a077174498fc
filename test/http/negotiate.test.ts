import { describe, expect, test } from 'vitest'
import { useApp } from '../support/helper.ts'

const getApp = useApp()
const URL = '/v1/tensors/uniform?shape=4,4&seed=5'

describe('Accept and format=', () => {
  test.each([
    [undefined, 'application/octet-stream'],
    ['*/*', 'application/octet-stream'],
    ['application/*', 'application/octet-stream'],
    ['application/x-npy', 'application/x-npy'],
    ['application/x-npy;q=0.9, */*;q=0.1', 'application/x-npy'],
    ['application/*;q=0.5, application/vnd.safetensors', 'application/vnd.safetensors'],
    ['application/octet-stream;q=0.2, application/x-npy;q=0.8', 'application/x-npy'],
    ['text/html, application/vnd.safetensors;q=0.1', 'application/vnd.safetensors']
  ])('Accept %s -> %s', async (accept, type) => {
    const res = await getApp().app.inject({ url: URL, headers: accept === undefined ? {} : { accept } })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe(type)
    expect(res.headers.vary).toBe('Accept')
  })

  test('an Accept nothing matches is a 406 problem listing what is on offer', async () => {
    const res = await getApp().app.inject({ url: URL, headers: { accept: 'text/html, image/png' } })
    expect(res.statusCode).toBe(406)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.json()).toMatchObject({
      code: 'not-acceptable',
      field: '/headers/accept',
      accept: ['application/octet-stream', 'application/x-npy', 'application/vnd.safetensors', 'application/json']
    })
  })

  test('format= overrides Accept', async () => {
    const res = await getApp().app.inject({ url: `${URL}&format=npy`, headers: { accept: 'application/vnd.safetensors' } })
    expect(res.headers['content-type']).toBe('application/x-npy')
  })

  test('format=json or an Accept preferring JSON redirects GET (303) to the JSON operation, keeping the query', async () => {
    const byFormat = await getApp().app.inject(`${URL}&format=json&gain_free=1`)
    expect(byFormat.statusCode).toBe(400) // the query is still validated first: gain_free is no parameter of uniform
    const res = await getApp().app.inject('/v1/tensors/he_normal?shape=4,4&format=json&mode=fan_out')
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe('/v1/tensors/he_normal/json?shape=4%2C4&mode=fan_out')
    const byAccept = await getApp().app.inject({ url: URL, headers: { accept: 'application/json' } })
    expect(byAccept.statusCode).toBe(303)
    expect(byAccept.headers.vary).toBe('Accept')
    const followed = await getApp().app.inject({ url: byAccept.headers.location as string })
    expect(followed.statusCode).toBe(200)
    expect(followed.json().shape).toEqual([4, 4])
  })

  test('POST with format json redirects (307, method and body kept) to POST /v1/tensors/json', async () => {
    const payload = { initializer: 'uniform', shape: [2, 2], format: 'json' }
    const res = await getApp().app.inject({ method: 'POST', url: '/v1/tensors', payload })
    expect(res.statusCode).toBe(307)
    expect(res.headers.location).toBe('/v1/tensors/json')
    const followed = await getApp().app.inject({ method: 'POST', url: res.headers.location as string, payload })
    expect(followed.statusCode).toBe(200)
    expect(followed.json()).toMatchObject({ shape: [2, 2], dtype: 'float32' })
  })

  test('the JSON operation answers 406 to an Accept without JSON', async () => {
    const res = await getApp().app.inject({ url: '/v1/tensors/uniform/json?shape=2', headers: { accept: 'application/x-npy' } })
    expect(res.statusCode).toBe(406)
    expect(res.json().accept).toEqual(['application/json'])
  })
})
