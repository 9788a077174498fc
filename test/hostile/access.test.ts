import { createHash } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { buildApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config.ts'
import { loadApiKeyDigests } from '../../src/http/access.ts'
import { build } from '../support/helper.ts'
import { InlineEngine } from '../support/inline-engine.ts'

/** Admission per client (issue 12): API keys, per-client rate limits, CORS. */

const KEY = 'k-7f3e9a1c-right'
const OTHER_KEY = 'k-other-client'
const sha = (text: string) => createHash('sha256').update(text).digest('hex')

function keysFile (content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tensor-init-keys-'))
  const file = join(dir, 'keys')
  writeFileSync(file, content)
  return file
}

const TENSOR = '/v1/tensors/normal?shape=2'

describe('API keys', () => {
  const file = keysFile(`# service keys\n\n${sha(KEY)}\n  ${sha(OTHER_KEY).toUpperCase()}  # a second client\n`)

  test('a malformed line is a start-up error naming the line', async () => {
    expect(() => loadApiKeyDigests(keysFile(`${sha(KEY)}\nnot-a-digest\n`))).toThrow(/line 2/)
    expect(() => loadApiKeyDigests(keysFile('# nothing\n'))).toThrow(/no key/)
    const engine = new InlineEngine()
    await expect(buildApp({ logger: false, engine, config: loadConfig({ API_KEYS_FILE: keysFile('zz\n') }) })).rejects.toThrow(/line 1/)
    await engine.close()
  })

  test('right key 200, wrong key 401 invalid_token, none 401; probes open', async () => {
    const { app } = await build({ config: loadConfig({ API_KEYS_FILE: file }) })
    const ok = await app.inject({ url: TENSOR, headers: { authorization: `Bearer ${KEY}` } })
    expect(ok.statusCode, ok.body).toBe(200)
    const second = await app.inject({ url: TENSOR, headers: { authorization: `Bearer ${OTHER_KEY}` } })
    expect(second.statusCode).toBe(200)

    const wrong = await app.inject({ url: TENSOR, headers: { authorization: 'Bearer nope' } })
    expect(wrong.statusCode).toBe(401)
    expect(wrong.headers['content-type']).toBe('application/problem+json; charset=utf-8')
    expect(wrong.headers['www-authenticate']).toBe('Bearer realm="tensor-init", error="invalid_token"')
    expect(wrong.json()).toMatchObject({ code: 'unauthorized', status: 401, requestId: wrong.headers['x-request-id'] })
    expect(wrong.headers['x-content-type-options']).toBe('nosniff')

    for (const headers of [{}, { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }]) {
      const none = await app.inject({ url: TENSOR, headers })
      expect(none.statusCode).toBe(401)
      expect(none.headers['www-authenticate']).toBe('Bearer realm="tensor-init"')
      expect(none.json()).toMatchObject({ code: 'unauthorized' })
    }
    for (const url of ['/metrics', '/v1/initializers', '/openapi.json', '/nowhere']) {
      expect((await app.inject({ url })).statusCode, url).toBe(401)
    }

    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' })
    const minimal = await app.inject({ url: '/readyz' })
    expect(minimal.statusCode).toBe(200)
    expect(minimal.json()).toEqual({ status: 'ready' })
    const wrongReady = await app.inject({ url: '/readyz', headers: { authorization: 'Bearer nope' } })
    expect(wrongReady.json()).toEqual({ status: 'ready' })
    const full = await app.inject({ url: '/readyz', headers: { authorization: `Bearer ${KEY}` } })
    expect(full.json()).toMatchObject({ status: 'ready', version: expect.any(String), engine: { name: expect.any(String) } })
  })

  test('without API_KEYS_FILE nothing changes', async () => {
    const { app } = await build()
    expect((await app.inject({ url: TENSOR })).statusCode).toBe(200)
    expect((await app.inject({ url: '/readyz' })).json()).toHaveProperty('engine')
  })
})

describe('rate limits', () => {
  const config = (env: Record<string, string> = {}) => loadConfig({ RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '60000', ...env })

  test('the N+1-th request is 429 with Retry-After and RateLimit headers; another client is unaffected', async () => {
    const { app } = await build({ config: config() })
    for (let i = 0; i < 3; i++) {
      const res = await app.inject({ url: TENSOR, remoteAddress: '10.0.0.1' })
      expect(res.statusCode).toBe(200)
      expect(res.headers['ratelimit-limit']).toBe('3')
      expect(res.headers['ratelimit-remaining']).toBe(String(2 - i))
    }
    const limited = await app.inject({ url: TENSOR, remoteAddress: '10.0.0.1' })
    expect(limited.statusCode).toBe(429)
    expect(limited.headers['content-type']).toBe('application/problem+json; charset=utf-8')
    expect(limited.json()).toMatchObject({ code: 'rate-limited', status: 429 })
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
    expect(limited.headers['ratelimit-limit']).toBe('3')
    expect(limited.headers['ratelimit-remaining']).toBe('0')
    expect(Number(limited.headers['ratelimit-reset'])).toBeGreaterThan(0)
    expect((await app.inject({ url: TENSOR, remoteAddress: '10.0.0.2' })).statusCode).toBe(200)
    // Probes are exempt.
    for (let i = 0; i < 5; i++) expect((await app.inject({ url: '/healthz', remoteAddress: '10.0.0.1' })).statusCode).toBe(200)
    expect((await app.inject({ url: '/readyz', remoteAddress: '10.0.0.1' })).statusCode).toBe(200)
  })

  test('X-Forwarded-For counts only with TRUST_PROXY', async () => {
    const untrusted = await build({ config: config() })
    for (let i = 0; i < 3; i++) {
      await untrusted.app.inject({ url: TENSOR, remoteAddress: '10.0.0.9', headers: { 'x-forwarded-for': `192.0.2.${i}` } })
    }
    // Spoofed addresses do not make a new client: the socket address is.
    expect((await untrusted.app.inject({ url: TENSOR, remoteAddress: '10.0.0.9', headers: { 'x-forwarded-for': '192.0.2.77' } })).statusCode).toBe(429)

    const trusted = await build({ config: config({ TRUST_PROXY: 'true' }) })
    for (let i = 0; i < 3; i++) {
      expect((await trusted.app.inject({ url: TENSOR, remoteAddress: '10.0.0.9', headers: { 'x-forwarded-for': '192.0.2.1' } })).statusCode).toBe(200)
    }
    expect((await trusted.app.inject({ url: TENSOR, remoteAddress: '10.0.0.9', headers: { 'x-forwarded-for': '192.0.2.1' } })).statusCode).toBe(429)
    // Behind the same proxy, another forwarded client has its own budget.
    expect((await trusted.app.inject({ url: TENSOR, remoteAddress: '10.0.0.9', headers: { 'x-forwarded-for': '192.0.2.2' } })).statusCode).toBe(200)
  })

  test('with keys, the client is its key, not its address', async () => {
    const file = keysFile(`${sha(KEY)}\n${sha(OTHER_KEY)}\n`)
    const { app } = await build({ config: config({ API_KEYS_FILE: file }) })
    const as = async (key: string) => await app.inject({ url: TENSOR, remoteAddress: '10.0.0.5', headers: { authorization: `Bearer ${key}` } })
    for (let i = 0; i < 3; i++) expect((await as(KEY)).statusCode).toBe(200)
    expect((await as(KEY)).statusCode).toBe(429)
    expect((await as(OTHER_KEY)).statusCode).toBe(200)
  })

  test('RATE_LIMIT_MAX=0 is off', async () => {
    const { app } = await build()
    for (let i = 0; i < 20; i++) {
      const res = await app.inject({ url: TENSOR, remoteAddress: '10.0.0.1' })
      expect(res.statusCode).toBe(200)
      expect(res.headers['ratelimit-limit']).toBeUndefined()
    }
  })
})

describe('CORS', () => {
  test('preflight and exposed headers for an allowed origin, nothing for others', async () => {
    const file = keysFile(`${sha(KEY)}\n`)
    const { app } = await build({ config: loadConfig({ CORS_ORIGINS: 'https://app.example, https://b.example', API_KEYS_FILE: file }) })
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: TENSOR,
      headers: { origin: 'https://app.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization, range' }
    })
    expect(preflight.statusCode).toBe(204)
    expect(preflight.headers['access-control-allow-origin']).toBe('https://app.example')
    const allowed = String(preflight.headers['access-control-allow-headers']).toLowerCase()
    for (const h of ['range', 'if-none-match', 'if-match', 'if-range', 'authorization']) expect(allowed).toContain(h)

    const res = await app.inject({ url: TENSOR, headers: { origin: 'https://app.example', authorization: `Bearer ${KEY}` } })
    expect(res.statusCode).toBe(200)
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example')
    const exposed = String(res.headers['access-control-expose-headers']).toLowerCase()
    for (const h of ['etag', 'content-length', 'content-range', 'accept-ranges', 'x-request-id', 'x-tensor-shape', 'x-tensor-dtype']) expect(exposed).toContain(h)

    const other = await app.inject({ url: TENSOR, headers: { origin: 'https://evil.example', authorization: `Bearer ${KEY}` } })
    expect(other.headers['access-control-allow-origin']).toBeUndefined()
  })

  test("'*' allows any origin; no CORS_ORIGINS sends no CORS headers", async () => {
    const any = await build({ config: loadConfig({ CORS_ORIGINS: '*' }) })
    expect((await any.app.inject({ url: TENSOR, headers: { origin: 'https://x.example' } })).headers['access-control-allow-origin']).toBe('*')
    const none = await build()
    expect((await none.app.inject({ url: TENSOR, headers: { origin: 'https://x.example' } })).headers['access-control-allow-origin']).toBeUndefined()
  })
})
