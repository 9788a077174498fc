import { describe, expect, test } from 'vitest'
import { buildApp, createEngine } from '../../src/app.ts'
import { build } from '../support/helper.ts'

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

  test('an injected engine stays open after app.close(); the app does not own it', async () => {
    const { app, engine } = await build()
    await app.close()
    expect(engine.closed).toBe(false)
  })

  test('ENGINE=mlx fails at start with a clear message', async () => {
    await expect(createEngine({ kind: 'mlx' })).rejects.toThrow(/ENGINE=mlx: the MLX engine is not available/)
    const config = { ...(await import('../../src/config.ts')).loadConfig({ ENGINE: 'mlx' }) }
    await expect(buildApp({ config, logger: false })).rejects.toThrow(/ENGINE=mlx/)
  })
})
