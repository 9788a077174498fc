import { readFileSync } from 'node:fs'
import { connect, type AddressInfo, type Socket } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { buildApp } from '../../src/app.ts'
import { executeRange } from '../../src/engines/reference/execute.ts'
import { buildPlan } from '../../src/initializers/build-plan.ts'
import { InlineEngine } from '../support/inline-engine.ts'
import { NGINX_CONF, PLACEHOLDERS, startNginx, template, type RunningNginx } from './nginx-harness.ts'

/**
 * deploy/nginx/nginx.conf in front of the service, both on loopback: the service is the real app
 * over the in-process reference engine, whose counters (and /metrics) say what it computed.
 */

const SLICE = 4 * 2 ** 20
/** 10 MB: three 4 MiB slices, the last one short. */
const ELEMENTS = 2_500_000
const PATH = `/v1/tensors/uniform?shape=${ELEMENTS}&seed=3`
const plan = buildPlan({ initializer: 'uniform', shape: [ELEMENTS], seed: 3 }, 'json')
const expected = Buffer.from(executeRange(plan, 0, ELEMENTS))

let service: FastifyInstance
let engine: InlineEngine
let serviceOrigin: string
let nginx: RunningNginx

interface Answer { status: number, headers: Record<string, string | string[] | undefined>, body: Buffer }

async function get (url: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET'): Promise<Answer> {
  const res = await request(url, { method, headers })
  return { status: res.statusCode, headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()) }
}

/** Sum of a Prometheus counter's samples on the service, all labels. */
async function serviceCounter (name: string): Promise<number> {
  const text = (await get(`${serviceOrigin}/metrics`)).body.toString()
  return text.split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0)
}

async function generation (): Promise<{ elements: number, bytes: number }> {
  return { elements: engine.elementsComputed, bytes: await serviceCounter('tensor_bytes_streamed_total') }
}

beforeAll(async () => {
  engine = new InlineEngine()
  service = await buildApp({ logger: false, engine })
  await service.listen({ host: '127.0.0.1', port: 0 })
  const { port } = service.server.address() as AddressInfo
  serviceOrigin = `http://127.0.0.1:${port}`
  nginx = await startNginx(`127.0.0.1:${port}`)
})

afterAll(async () => {
  await nginx?.stop()
  await service?.close()
})

describe('nginx caching front (deploy/nginx/nginx.conf)', () => {
  test('the template names exactly the documented placeholders', () => {
    const text = readFileSync(NGINX_CONF, 'utf8')
    const used = new Set([...text.matchAll(/\$\{([A-Z_]+)\}/g)].map((m) => m[1]))
    expect([...used].sort()).toEqual([...PLACEHOLDERS].sort())
    expect(template(text, Object.fromEntries(PLACEHOLDERS.map((p) => [p, 'x'])) as Record<typeof PLACEHOLDERS[number], string>)).not.toMatch(/\$\{/)
  })

  test('the second identical request is a cache hit: same bytes and ETag, nothing generated', async () => {
    const direct = await get(serviceOrigin + PATH, {}, 'HEAD')
    const first = await get(nginx.origin + PATH)
    expect(first.status).toBe(200)
    expect(first.headers['x-cache-status']).toBe('MISS')
    expect(first.headers['content-length']).toBe(String(ELEMENTS * 4))
    expect(Buffer.compare(first.body, expected)).toBe(0)
    // ETags survive the proxy; the immutable policy too.
    expect(first.headers.etag).toBe(direct.headers.etag)
    expect(first.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(first.headers['accept-ranges']).toBe('bytes')
    expect(first.headers['x-tensor-shape']).toBe(String(ELEMENTS))

    const before = await generation()
    const second = await get(nginx.origin + PATH)
    expect(second.status).toBe(200)
    expect(second.headers['x-cache-status']).toBe('HIT')
    expect(second.headers.etag).toBe(direct.headers.etag)
    expect(Buffer.compare(second.body, expected)).toBe(0)
    expect(await generation()).toEqual(before)
    // The service computed the tensor once, in slice-sized ranges.
    expect(engine.elementsComputed).toBe(ELEMENTS)
    expect(engine.ranges.map((r) => r.start)).toEqual([0, SLICE / 4, 2 * SLICE / 4])
  })

  test('ranges are served from the cached slices, across a slice boundary', async () => {
    await get(nginx.origin + PATH)
    const before = await generation()
    const first = SLICE - 1000
    const last = 2 * SLICE + 5
    const part = await get(nginx.origin + PATH, { range: `bytes=${first}-${last}` })
    expect(part.status).toBe(206)
    expect(part.headers['content-range']).toBe(`bytes ${first}-${last}/${ELEMENTS * 4}`)
    expect(part.headers['x-cache-status']).toBe('HIT')
    expect(Buffer.compare(part.body, expected.subarray(first, last + 1))).toBe(0)
    const suffix = await get(nginx.origin + PATH, { range: 'bytes=-7' })
    expect(suffix.status).toBe(206)
    expect(Buffer.compare(suffix.body, expected.subarray(expected.length - 7))).toBe(0)
    expect(await generation()).toEqual(before)
  })

  test('a range of an uncached tensor costs the service only the slice it falls in', async () => {
    const other = `/v1/tensors/uniform?shape=${ELEMENTS}&seed=4`
    const otherPlan = buildPlan({ initializer: 'uniform', shape: [ELEMENTS], seed: 4 }, 'json')
    const before = engine.elementsComputed
    const part = await get(nginx.origin + other, { range: 'bytes=9000000-9000099' })
    expect(part.status).toBe(206)
    expect(part.headers['x-cache-status']).toBe('MISS')
    expect(Buffer.compare(part.body, Buffer.from(executeRange(otherPlan, 2_250_000, 2_250_025)))).toBe(0)
    // The third slice only: bytes 8388608 to the end.
    expect(engine.elementsComputed - before).toBe(ELEMENTS - 2 * SLICE / 4)
    expect((await get(nginx.origin + other, { range: 'bytes=9000000-9000099' })).headers['x-cache-status']).toBe('HIT')
  })

  test('If-None-Match, If-Range and HEAD are answered from the cache', async () => {
    const { headers } = await get(nginx.origin + PATH)
    const etag = String(headers.etag)
    const before = await generation()

    const notModified = await get(nginx.origin + PATH, { 'if-none-match': etag })
    expect(notModified.status).toBe(304)
    expect(notModified.headers.etag).toBe(etag)
    expect(notModified.body.length).toBe(0)
    expect((await get(nginx.origin + PATH, { 'if-none-match': '"another"' })).status).toBe(200)

    // RFC 9110 §13.1.5: a matching If-Range gets the range, any other validator the whole.
    const ranged = await get(nginx.origin + PATH, { 'if-range': etag, range: 'bytes=0-9' })
    expect(ranged.status).toBe(206)
    expect(Buffer.compare(ranged.body, expected.subarray(0, 10))).toBe(0)
    const whole = await get(nginx.origin + PATH, { 'if-range': '"stale"', range: 'bytes=0-9' })
    expect(whole.status).toBe(200)
    expect(whole.body.length).toBe(ELEMENTS * 4)
    expect(await generation()).toEqual(before)

    const headPath = `/v1/tensors/uniform?shape=${ELEMENTS}&seed=5`
    const head = await get(nginx.origin + headPath, {}, 'HEAD')
    expect(head.status).toBe(200)
    expect(head.headers['content-length']).toBe(String(ELEMENTS * 4))
    expect((await get(nginx.origin + headPath, {}, 'HEAD')).headers['x-cache-status']).toBe('HIT')
    // A HEAD goes to the service as a HEAD, which computes nothing.
    expect(engine.elementsComputed).toBe(before.elements)
  })

  test('Accept is part of the key: another representation is another entry', async () => {
    const npy = await get(nginx.origin + PATH, { accept: 'application/x-npy' })
    expect(npy.status).toBe(200)
    expect(npy.headers['content-type']).toBe('application/x-npy')
    expect(npy.headers['x-cache-status']).toBe('MISS')
    const raw = await get(nginx.origin + PATH, {}, 'HEAD')
    expect(npy.headers.etag).not.toBe(raw.headers.etag)
    expect(Buffer.compare(npy.body.subarray(npy.body.length - expected.length), expected)).toBe(0)
    expect((await get(nginx.origin + PATH, { accept: 'application/x-npy' })).headers['x-cache-status']).toBe('HIT')
  })

  test('empty tensors, errors and POST pass through correctly and are not cached', async () => {
    const empty = await get(`${nginx.origin}/v1/tensors/uniform?shape=0,5&seed=1`)
    expect(empty.status).toBe(200)
    expect(empty.body.length).toBe(0)
    const unsatisfiable = await get(nginx.origin + PATH, { range: `bytes=${ELEMENTS * 4}-` })
    expect(unsatisfiable.status).toBe(416)
    expect(unsatisfiable.headers['content-range']).toBe(`bytes */${ELEMENTS * 4}`)
    const missing = await get(`${nginx.origin}/v1/tensors/no_such_init?shape=5`)
    expect(missing.status).toBe(404)
    expect(missing.headers['content-type']).toMatch(/problem\+json/)
    expect((await get(`${nginx.origin}/v1/tensors/no_such_init?shape=5`)).headers['x-cache-status']).toBe('MISS')

    const res = await request(`${nginx.origin}/v1/tensors`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ initializer: 'uniform', shape: [1000], seed: 3 })
    })
    const body = Buffer.from(await res.body.arrayBuffer())
    expect(res.statusCode).toBe(200)
    expect(res.headers['x-cache-status']).toBeUndefined()
    expect(Buffer.compare(body, Buffer.from(executeRange(buildPlan({ initializer: 'uniform', shape: [1000], seed: 3 }, 'json'), 0, 1000)))).toBe(0)
  })
})

/** A raw client that sends a GET, waits for the first response bytes, then stops reading. */
interface Stalled { socket: Socket, head: string, received: () => number, closed: Promise<void> }

async function stalledReader (origin: string, path: string): Promise<Stalled> {
  const url = new URL(origin)
  const socket = connect(Number(url.port), url.hostname)
  let received = 0
  let head = ''
  const closed = new Promise<void>((resolve) => { socket.once('close', () => { resolve() }) })
  socket.on('error', () => {})
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`)
    })
    socket.on('data', (chunk: Buffer) => {
      if (received === 0) {
        head = chunk.toString('latin1', 0, Math.min(chunk.length, 512))
        // Stop reading: the kernel buffers fill and nginx can write no more.
        socket.pause()
        resolve()
      }
      received += chunk.length
    })
    socket.once('close', () => { reject(new Error(`closed before any byte: ${path}`)) })
  })
  return { socket, head, received: () => received, closed }
}

/** 64 MiB of a constant: far more than loopback socket buffers hold, and cheap to compute. */
const BIG = (value: number): string => `/v1/tensors/constant?shape=16777216&value=${value}`
const BIG_BYTES = 16_777_216 * 4

describe('nginx front: limits per client (issue 12)', () => {
  let limited: RunningNginx
  let upstream: FastifyInstance
  const stalled: Stalled[] = []

  beforeAll(async () => {
    upstream = await buildApp({ logger: false, engine: new InlineEngine() })
    await upstream.listen({ host: '127.0.0.1', port: 0 })
    const { port } = upstream.server.address() as AddressInfo
    // The shipped directives, each found exactly once, with values a test can reach in seconds.
    limited = await startNginx(`127.0.0.1:${port}`, [
      ['send_timeout 60s;', 'send_timeout 1s;'],
      ['limit_conn per_client_conn 64;', 'limit_conn per_client_conn 3;'],
      ['rate=100r/s;', 'rate=2r/s;'],
      ['burst=200 nodelay;', 'burst=5 nodelay;']
    ])
  })

  afterAll(async () => {
    for (const s of stalled) s.socket.destroy()
    await limited?.stop()
    upstream?.server.closeAllConnections()
    await upstream?.close()
  })

  test('the shipped template sets the body limit, per-client limits, send and proxy timeouts', () => {
    const text = readFileSync(NGINX_CONF, 'utf8')
    for (const directive of [
      // src/http/routes/checkpoints.ts MANIFEST_BODY_LIMIT = 16 MiB
      'client_max_body_size 16m;',
      'send_timeout 60s;',
      'limit_conn per_client_conn 64;',
      'limit_conn_status 429;',
      'limit_req zone=per_client_rate burst=200 nodelay;',
      'limit_req_status 429;',
      'proxy_connect_timeout 5s;',
      'proxy_send_timeout 30s;',
      'proxy_read_timeout 60s;'
    ]) expect(text).toContain(directive)
    expect(text).toMatch(/limit_req_zone \$binary_remote_addr zone=per_client_rate:10m rate=100r\/s;/)
  })

  test('a body over the manifest limit is refused with 413 before it reaches the service; a 2 MiB one passes', async () => {
    const send = async (bytes: number): Promise<{ status: number, type: unknown }> => {
      const res = await request(`${nginx.origin}/v1/checkpoints`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: Buffer.alloc(bytes, 0x20)
      }).catch((err: unknown) => { throw err })
      await res.body.dump()
      return { status: res.statusCode, type: res.headers['content-type'] }
    }
    const tooLarge = await send(16 * 2 ** 20 + 1)
    expect(tooLarge.status).toBe(413)
    expect(String(tooLarge.type)).not.toMatch(/problem\+json/)
    // Above nginx's default 1m: the service itself answers (blank JSON is a 400 problem).
    const passed = await send(2 * 2 ** 20)
    expect(passed.status).toBe(400)
    expect(String(passed.type)).toMatch(/problem\+json/)
  })

  test('limit_req: past the burst a client gets 429, and is served again later', async () => {
    const statuses: number[] = []
    const started = performance.now()
    // Sequential on one kept-alive connection, so limit_conn is not what answers.
    for (let i = 0; i < 20; i++) {
      const res = await request(`${limited.origin}/healthz`)
      await res.body.dump()
      statuses.push(res.statusCode)
    }
    const seconds = (performance.now() - started) / 1000
    const ok = statuses.filter((s) => s === 200).length
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0)
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true)
    // At most burst + 1 + rate x elapsed passed.
    expect(ok).toBeLessThanOrEqual(6 + Math.ceil(2 * seconds) + 1)
    // The burst, less the one request startNginx spent checking that nginx answers.
    expect(ok).toBeGreaterThanOrEqual(5)
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect((await request(`${limited.origin}/healthz`)).statusCode).toBe(200)
  })

  test('limit_conn: a client holding 3 responses gets 429 for a 4th; send_timeout cuts the stalled ones', async () => {
    // Let the rate limit's bucket refill (2 r/s, burst 5) so it is not what answers below.
    await new Promise((resolve) => setTimeout(resolve, 3000))
    for (let i = 0; i < 3; i++) stalled.push(await stalledReader(limited.origin, BIG(i + 1)))
    for (const s of stalled) expect(s.head).toMatch(/^HTTP\/1\.1 200/)
    const fourth = await request(`${limited.origin}${BIG(9)}`, { method: 'HEAD' })
    expect(fourth.statusCode).toBe(429)
    await fourth.body.dump()

    // None reads: after send_timeout (1 s here) nginx closes each connection by itself. A
    // paused socket sees no FIN, so wait past the timeout, then read what the kernel held: the
    // connection must end before the body did (a keep-alive connection that was not cut would
    // deliver all 64 MiB and stay open).
    await new Promise((resolve) => setTimeout(resolve, 3000))
    for (const s of stalled) s.socket.resume()
    const ended = await Promise.race([
      Promise.all(stalled.map(async (s) => { await s.closed })).then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => { resolve(false) }, 10_000))
    ])
    expect(ended).toBe(true)
    for (const s of stalled) expect(s.received()).toBeLessThan(BIG_BYTES)
    // The connections are gone, so the client may open new ones.
    await new Promise((resolve) => setTimeout(resolve, 600))
    const after = await request(`${limited.origin}${BIG(9)}`, { method: 'HEAD' })
    expect(after.statusCode).toBe(200)
    await after.body.dump()
  }, 30_000)
})
