import { Writable } from 'node:stream'
import { pino } from 'pino'
import { describe, expect, test } from 'vitest'
import { buildApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config.ts'
import { EngineOptionError } from '../../src/engines/toolkit/options.ts'
import { createLogger } from '../../src/logger.ts'
import { request } from 'undici'
import { build, listen } from '../support/helper.ts'

describe('buildApp', () => {
  test('/healthz answers ok, with a request id echoed in X-Request-Id', async () => {
    const { app } = await build()
    const res = await app.inject('/healthz')
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ status: 'ok' })
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
    const mine = await app.inject({ url: '/healthz', headers: { 'x-request-id': 'abc-123' } })
    expect(mine.headers['x-request-id']).toBe('abc-123')
  })

  test('/readyz describes the engine and the service version', async () => {
    const { app, engine } = await build()
    const res = await app.inject('/readyz')
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.status).toBe('ready')
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/)
    expect(body.engine).toEqual(engine.info)
  })

  test('/readyz is 503 problem+json while the engine has no capacity', async () => {
    const { app, engine } = await build()
    ;(engine.info as { concurrency: number }).concurrency = 0
    const res = await app.inject('/readyz')
    expect(res.statusCode).toBe(503)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.json().code).toBe('engine-unavailable')
  })

  test('/docs serves Swagger UI and its assets from the package (no CDN)', async () => {
    const { app } = await build()
    const page = await app.inject('/docs')
    expect(page.statusCode).toBe(200)
    expect(page.headers['content-type']).toMatch(/^text\/html/)
    expect(page.body).toContain('swagger-ui')
    // Every script and stylesheet is local to the service.
    expect(page.body).not.toMatch(/(src|href)="https?:/)
    const bundle = await app.inject('/docs/static/swagger-ui-bundle.js')
    expect(bundle.statusCode).toBe(200)
    expect(bundle.body.length).toBeGreaterThan(100_000)
    const spec = await app.inject('/docs/json')
    expect(spec.json().openapi).toBe('3.1.0')
  })

  test('/docs works at any address over plain HTTP: its CSP does not upgrade the assets to https', async () => {
    // Issue 13: staticCSP: true sent upgrade-insecure-requests, so a browser at
    // http://<machine>:8080/docs fetched the assets over https and showed a blank page.
    const { origin } = await listen()
    const host = '10.20.30.40:8080'
    const get = async (path: string): Promise<{ status: number, csp: string | null, body: string }> => {
      const res = await request(`${origin}${path}`, { headers: { host } })
      return { status: res.statusCode, csp: res.headers['content-security-policy'] as string | null ?? null, body: await res.body.text() }
    }
    const page = await get('/docs')
    expect(page.status).toBe(200)
    expect(page.csp).not.toBeNull()
    expect(page.csp).not.toMatch(/upgrade-insecure-requests/)
    expect(page.csp).toMatch(/script-src 'self'/)
    // Every asset the page names is relative (resolved against http://10.20.30.40:8080) and answers 200 there.
    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)
    expect(assets.length).toBeGreaterThan(2)
    for (const asset of assets) {
      expect(asset).not.toMatch(/^[a-z]+:/i)
      const url = new URL(asset, `http://${host}/docs`)
      expect((await get(url.pathname)).status, url.pathname).toBe(200)
    }
    // The UI's online validator (a third party) is off, so the initializer script carries no validator URL.
    const init = await get('/docs/static/swagger-initializer.js')
    expect(init.status).toBe(200)
    expect(init.body).not.toMatch(/validator\.swagger\.io/)
  })

  test('an injected engine stays open after app.close(); the app does not own it', async () => {
    const { app, engine } = await build()
    await app.close()
    expect(engine.closed).toBe(false)
  })

  test('without an injected engine, the app runs ENGINE=cpu (worker threads) and closes it with itself', async () => {
    const app = await buildApp({ config: loadConfig({ ENGINE: 'cpu', WORKER_THREADS: '1' }), logger: false })
    try {
      const ready = await app.inject('/readyz')
      expect(ready.json().engine).toMatchObject({ name: 'cpu', device: 'cpu', concurrency: 1 })
      const res = await app.inject('/v1/tensors/uniform?shape=3,5&seed=4')
      expect(res.statusCode).toBe(200)
      const reference = await build()
      expect(res.rawPayload).toEqual((await reference.app.inject('/v1/tensors/uniform?shape=3,5&seed=4')).rawPayload)
    } finally {
      await app.close()
    }
  })

  test('an unusable engine option fails buildApp itself (a start-up error), before any request', async () => {
    const config = loadConfig({ ENGINE: 'remote', WORKER_HOSTS: 'http://a:1/v1' })
    await expect(buildApp({ config, logger: false })).rejects.toThrow(EngineOptionError)
  })

  test('logs through the pino instance it is given, with request ids and fastify\'s request serializer', async () => {
    const lines: Array<Record<string, unknown>> = []
    const sink = new Writable({
      write (chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>)
        done()
      }
    })
    const { app } = await build({ logger: pino({ level: 'info' }, sink) })
    await app.inject({ url: '/healthz', headers: { 'x-request-id': 'log-1' } })
    const incoming = lines.find((line) => line.msg === 'incoming request')
    expect(incoming).toMatchObject({ reqId: 'log-1', req: { method: 'GET', url: '/healthz' } })
    expect(lines.find((line) => line.msg === 'request completed')).toMatchObject({ reqId: 'log-1', res: { statusCode: 200 } })
  })

  test('the service logger clips the client\'s URL in request log lines to 200 characters', async () => {
    const lines: Array<Record<string, unknown>> = []
    const sink = new Writable({
      write (chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>)
        done()
      }
    })
    const { app } = await build({ logger: createLogger('info', sink) })
    const url = `/v1/tensors/normal?shape=2&${'x'.repeat(5000)}=1`
    await app.inject({ url, headers: { 'x-request-id': 'log-2' } })
    const incoming = lines.find((line) => line.msg === 'incoming request') as { req: { url: string, method: string } }
    expect(incoming.req.method).toBe('GET')
    expect(incoming.req.url.length).toBe(200)
    expect(url.startsWith(incoming.req.url.slice(0, 199))).toBe(true)
    for (const line of lines) expect(JSON.stringify(line).length).toBeLessThan(1000)
  })

  test('the service logger is pino at the configured level', () => {
    expect(createLogger(loadConfig({ LOG_LEVEL: 'warn' }).logLevel).level).toBe('warn')
  })
})
