import { connect } from 'node:net'
import type { LightMyRequestResponse } from 'fastify'
import Value from 'typebox/value'
import { describe, expect, test } from 'vitest'
import { loadConfig } from '../../src/config.ts'
import { ProblemSchema } from '../../src/http/schemas/problem.ts'
import { listen, useApp } from '../support/helper.ts'

/**
 * Every error is a problem (issue 12): framework-level errors answer RFC 9457 problem+json,
 * client strings echoed in them are bounded, and validation treats every odd name alike.
 */

const getApp = useApp()

function expectProblem (res: LightMyRequestResponse, status: number, code: string): Record<string, unknown> {
  expect(res.statusCode, res.body).toBe(status)
  expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8')
  expect(res.headers['x-content-type-options']).toBe('nosniff')
  const body = res.json()
  expect(Value.Check(ProblemSchema, body), JSON.stringify(Value.Errors(ProblemSchema, body))).toBe(true)
  expect(body).toMatchObject({ status, code, type: `/problems/${code}` })
  return body
}

/** Writes `request` on a raw socket to `port` and resolves with everything the server sends before closing. */
async function raw (port: number, request: string | Buffer, options: { end?: boolean } = {}): Promise<string> {
  return await new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    const timer = setTimeout(() => { socket.destroy(); reject(new Error('no answer within 10 s')) }, 10_000)
    socket.on('data', (chunk) => chunks.push(chunk))
    socket.on('error', () => {})
    socket.on('close', () => { clearTimeout(timer); resolve(Buffer.concat(chunks).toString('latin1')) })
    socket.write(request)
    if (options.end === true) socket.end()
  })
}

function parseRaw (text: string): { status: number, headers: Record<string, string>, body: Record<string, unknown>, bodyBytes: number } {
  const [head = '', body = ''] = text.split('\r\n\r\n', 2)
  const [statusLine = '', ...lines] = head.split('\r\n')
  const headers = Object.fromEntries(lines.map((l) => {
    const i = l.indexOf(':')
    return [l.slice(0, i).toLowerCase(), l.slice(i + 1).trim()]
  }))
  // The text was decoded as latin1: one character per byte; the body itself is UTF-8.
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(Buffer.from(body, 'latin1').toString('utf8')) as Record<string, unknown>, bodyBytes: body.length }
}

function expectRawProblem (text: string, status: number, code: string): void {
  const res = parseRaw(text)
  expect(res.status, text.slice(0, 300)).toBe(status)
  expect(res.headers['content-type']).toBe('application/problem+json')
  expect(res.headers['x-content-type-options']).toBe('nosniff')
  expect(Value.Check(ProblemSchema, res.body), JSON.stringify([...Value.Errors(ProblemSchema, res.body)])).toBe(true)
  expect(res.body).toMatchObject({ status, code })
  expect(Number(res.headers['content-length'])).toBe(res.bodyBytes)
}

describe('malformed and oversized requests on a real socket answer problem+json', () => {
  test('malformed HTTP, an over-long URL, huge headers', async () => {
    const { app } = await listen()
    const port = (app.server.address() as { port: number }).port
    expectRawProblem(await raw(port, 'GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'), 400, 'invalid-request')
    expectRawProblem(await raw(port, 'NOT HTTP AT ALL\r\n\r\n'), 400, 'invalid-request')
    expectRawProblem(await raw(port, `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`), 414, 'uri-too-long')
    expectRawProblem(await raw(port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`), 431, 'header-too-large')
    // Under node's header limit but over the service's URL limit: 414 from fastify.
    const long = await fetch(`http://127.0.0.1:${port}/v1/tensors/normal?shape=2&${'x'.repeat(9000)}=1`)
    expect(long.status).toBe(414)
    expect(long.headers.get('content-type')).toBe('application/problem+json; charset=utf-8')
    expect(((await long.json()) as { code: string }).code).toBe('uri-too-long')
  })

  test('a slow request is cut with 408 problem+json', async () => {
    const config = loadConfig({ HEADERS_TIMEOUT_MS: '300', REQUEST_TIMEOUT_MS: '300' })
    const { app } = await listen({ config })
    const port = (app.server.address() as { port: number }).port
    const started = Date.now()
    const text = await raw(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n')
    expectRawProblem(text, 408, 'request-timeout')
    expect(Date.now() - started).toBeLessThan(5_000)
  })

  test('Expect other than 100-continue is 417 problem+json; 100-continue still works', async () => {
    const { app } = await listen()
    const port = (app.server.address() as { port: number }).port
    const text = await raw(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: foo\r\nConnection: close\r\n\r\n')
    const res = parseRaw(text)
    expect(res.status, text).toBe(417)
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8')
    expect(res.body).toMatchObject({ code: 'expectation-failed', field: '/headers/expect' })
    const ok = await raw(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n')
    expect(ok).toContain('HTTP/1.1 200')
  })
})

describe('framework errors through fastify', () => {
  test('a missing static file under /docs is 404, not 405', async () => {
    const res = await getApp().app.inject({ url: '/docs/static/no-such-file.js' })
    expectProblem(res, 404, 'not-found')
    expect(res.headers.allow).toBeUndefined()
  })

  test('413 and unknown routes are problems with nosniff', async () => {
    expectProblem(await getApp().app.inject({ url: '/nowhere' }), 404, 'not-found')
    const big = await getApp().app.inject({ method: 'POST', url: '/v1/tensors', headers: { 'content-type': 'application/json' }, payload: `{"x":"${'a'.repeat(2 * 1024 * 1024)}"}` })
    expectProblem(big, 413, 'payload-too-large')
  })

  test('nosniff on success too', async () => {
    const res = await getApp().app.inject({ url: '/healthz' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['x-content-type-options']).toBe('nosniff')
  })
})

describe('client strings are bounded', () => {
  test('a long parameter name yields a bounded body naming it clipped', async () => {
    const name = 'p'.repeat(7000)
    const res = await getApp().app.inject({ url: `/v1/tensors/normal?shape=2&${name}=1` })
    const body = expectProblem(res, 400, 'unknown-parameter')
    expect(res.body.length).toBeLessThan(2000)
    expect(String(body.field).length).toBeLessThanOrEqual(200)
    expect(String(body.detail)).toContain('…')
  })

  test('a 1 MB parameter name on the wire is refused without echoing it', async () => {
    const res = await getApp().app.inject({ url: `/v1/tensors/normal?shape=2&${'p'.repeat(1024 * 1024)}=1` })
    const body = expectProblem(res, 414, 'uri-too-long')
    expect(res.body.length).toBeLessThan(2000)
    expect(String(body.instance).length).toBeLessThanOrEqual(200)
  })

  test('a long path is clipped in instance and detail', async () => {
    const res = await getApp().app.inject({ url: `/${'z'.repeat(5000)}` })
    const body = expectProblem(res, 404, 'not-found')
    expect(String(body.instance).length).toBeLessThanOrEqual(200)
    expect(res.body.length).toBeLessThan(2000)
  })

  test('a 15 KB X-Request-Id is replaced by a generated UUID; a short safe one is kept', async () => {
    const res = await getApp().app.inject({ url: '/nowhere', headers: { 'x-request-id': 'r'.repeat(15_000) } })
    const body = expectProblem(res, 404, 'not-found')
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
    expect(body.requestId).toBe(res.headers['x-request-id'])
    expect(res.body.length).toBeLessThan(2000)
    for (const bad of ['has space', 'quote"', 'a'.repeat(65), '']) {
      const r = await getApp().app.inject({ url: '/healthz', headers: { 'x-request-id': bad } })
      expect(r.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
    }
    const kept = await getApp().app.inject({ url: '/healthz', headers: { 'x-request-id': 'trace-01.ab:c_D' } })
    expect(kept.headers['x-request-id']).toBe('trace-01.ab:c_D')
  })
})

describe('prototype-like names are handled alike', () => {
  test.each(['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', '__defineGetter__'])('%s=1 in a query is unknown-parameter naming it', async (name) => {
    const res = await getApp().app.inject({ url: `/v1/tensors/normal?shape=2&${name}=1` })
    const body = expectProblem(res, 400, 'unknown-parameter')
    expect(body.field).toBe(`/${name}`)
    expect(String(body.detail)).toContain(`'${name}'`)
  })

  test('params[__proto__] too', async () => {
    const res = await getApp().app.inject({ url: '/v1/tensors/normal?shape=2&params[__proto__]=1' })
    expect(expectProblem(res, 400, 'unknown-parameter').field).toBe('/__proto__')
  })

  test('JSON bodies: constructor is unknown-parameter; __proto__ gets an accurate message', async () => {
    const post = async (payload: string) => await getApp().app.inject({ method: 'POST', url: '/v1/tensors', headers: { 'content-type': 'application/json' }, payload })
    const ctor = await post('{"initializer":"normal","shape":[2],"params":{"constructor":1}}')
    expect(expectProblem(ctor, 400, 'unknown-parameter').field).toBe('/params/constructor')
    for (const payload of [
      '{"initializer":"normal","shape":[2],"params":{"__proto__":1}}',
      '{"initializer":"normal","shape":[2],"__proto__":{"x":1}}',
      '{"initializer":"normal","shape":[2],"params":{"constructor":{"prototype":{"x":1}}}}'
    ]) {
      const body = expectProblem(await post(payload), 400, 'invalid-request')
      expect(String(body.detail)).toContain('__proto__')
      expect(String(body.detail)).toContain('prototype poisoning')
    }
  })
})

describe('parameters whose tensor would hold inf or NaN are refused', () => {
  test.each([
    ['/v1/tensors/normal?shape=2&std=1e300', '/std'],
    ['/v1/tensors/uniform?shape=2&low=-1e308&high=1e308', '/low'],
    ['/v1/tensors/constant?shape=2&value=1e39', '/value'],
    ['/v1/tensors/constant?shape=2&value=70000&dtype=float16', '/value'],
    ['/v1/tensors/constant?shape=2&value=1e39&dtype=bfloat16', '/value'],
    ['/v1/tensors/constant?shape=2&value=1e309&dtype=float64', '/value']
  ])('%s', async (url, field) => {
    const res = await getApp().app.inject({ url })
    const body = expectProblem(res, 400, 'invalid-parameter')
    expect(body.field).toBe(field)
  })

  test('values at the edge are still served', async () => {
    for (const url of [
      '/v1/tensors/constant?shape=2&value=1e38',
      '/v1/tensors/constant?shape=2&value=65504&dtype=float16',
      '/v1/tensors/constant?shape=2&value=1e300&dtype=float64',
      '/v1/tensors/normal?shape=2&std=1e30',
      '/v1/tensors/uniform?shape=2&low=-1e38&high=1e38'
    ]) {
      const res = await getApp().app.inject({ url })
      expect(res.statusCode, `${url}: ${res.body.slice(0, 300)}`).toBe(200)
    }
  })
})
