import { describe, expect, test } from 'vitest'
import { request } from 'undici'
import { isTensorInitError } from '../../../src/core/errors.ts'
import { executeRange } from '../../../src/engines/reference/execute.ts'
import { buildPlan } from '../../../src/initializers/build-plan.ts'
import { elementCount } from '../../../src/core/plan.ts'
import { collect, FaultyEngine, LyingEngine, remote, startGateway, startHost, startInlineHosts, until } from './support.ts'

/** 64 KiB parts of 4 chunks of 16 KiB each: a fault after chunk k leaves a part half received. */
const CHUNK = { chunkBytes: 16 * 1024 }
const plan = buildPlan({ initializer: 'uniform', shape: [128, 1024], seed: 21 }, 'json')
const n = elementCount(plan.shape)
const expected = executeRange(plan, 0, n)
const PART_ELEMENTS = 64 * 1024 / 4

async function metric (origin: string, name: string): Promise<number> {
  const text = await (await request(`${origin}/metrics`)).body.text()
  let sum = 0
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) sum += Number(line.split(' ').pop())
  }
  return sum
}

describe('remote engine: a host failing mid-stream', () => {
  test('a body cut after two chunks is resumed on another host from the first missing byte', async () => {
    const faulty = await startHost(new FaultyEngine('throw', 2, { ...CHUNK, once: true }))
    const good = await startHost(new FaultyEngine('throw', 0, { ...CHUNK }))
    good.engine.armed = false
    const engine = await remote([faulty, good])
    const bytes = await collect(engine.stream(plan, { start: 0, end: n }))
    expect(Buffer.compare(bytes, expected)).toBe(0)
    expect(faulty.engine.faults).toBe(1)
    expect(engine.info.details?.partRetries).toBe(1)
    // The resumed request started inside a part, 2 chunks (8192 elements) past its start.
    const resumed = good.engine.ranges.filter((r) => r.start % PART_ELEMENTS !== 0)
    expect(resumed).toHaveLength(1)
    expect(resumed[0]!.start % PART_ELEMENTS).toBe(2 * 4096)
  })

  test('a 5xx before any byte ejects the host; its part goes elsewhere', async () => {
    const faulty = await startHost(new FaultyEngine('throw', 0, { ...CHUNK, once: true }))
    const good = (await startInlineHosts(1, CHUNK))[0]!
    const engine = await remote([faulty, good], { healthIntervalMs: 60_000 })
    const bytes = await collect(engine.stream(plan, { start: 0, end: n }))
    expect(Buffer.compare(bytes, expected)).toBe(0)
    expect(faulty.engine.faults).toBe(1)
    const described = (engine.info.details?.workers as Array<{ origin: string, state: string, lastError?: string }>)
      .find((w) => w.origin === faulty.origin)
    expect(described?.state).toBe('down')
    expect(described?.lastError).toMatch(/answered 50\d/)
  })

  test('a host that stalls before its headers or mid-body is timed out and replaced', async () => {
    const beforeHeaders = await startHost(new FaultyEngine('stall', 0, { ...CHUNK, once: true }))
    const midBody = await startHost(new FaultyEngine('stall', 1, { ...CHUNK, once: true }))
    const good = (await startInlineHosts(1, CHUNK))[0]!
    const engine = await remote([beforeHeaders, midBody, good], { headersTimeoutMs: 800, bodyTimeoutMs: 800 })
    const started = Date.now()
    const bytes = await collect(engine.stream(plan, { start: 0, end: n }))
    expect(Buffer.compare(bytes, expected)).toBe(0)
    expect(beforeHeaders.engine.faults).toBe(1)
    expect(midBody.engine.faults).toBe(1)
    expect(engine.info.details?.partRetries).toBe(2)
    // Both stalls were cut by the timeouts, not waited out.
    expect(Date.now() - started).toBeLessThan(15_000)
  })

  test('a host whose ETag disagrees never contributes a byte', async () => {
    const liar = await startHost(new LyingEngine(CHUNK))
    const good = (await startInlineHosts(1, CHUNK))[0]!
    const engine = await remote([liar, good])
    const bytes = await collect(engine.stream(plan, { start: 0, end: n }))
    expect(Buffer.compare(bytes, expected)).toBe(0)
    expect(engine.info.details?.partRetries).toBeGreaterThanOrEqual(1)

    const alone = await remote([liar])
    const err = await collect(alone.stream(plan, { start: 0, end: n })).then(() => undefined, (e: unknown) => e)
    expect(isTensorInitError(err) && err.code === 'engine-unavailable').toBe(true)
    expect(String((err as Error).message)).toMatch(/ETag/)
  })
})

describe('remote engine: when no host can serve', () => {
  test('the stream throws engine-unavailable', async () => {
    const hosts = await Promise.all([0, 1].map(async () => await startHost(new FaultyEngine('throw', 0, CHUNK))))
    const engine = await remote(hosts)
    const err = await collect(engine.stream(plan, { start: 0, end: n })).then(() => undefined, (e: unknown) => e)
    expect(isTensorInitError(err) && err.code === 'engine-unavailable').toBe(true)
  })

  test('through a gateway: 503 before the first byte, a cut connection after it', async () => {
    const hosts = await Promise.all([0, 1].map(async () => await startHost(new FaultyEngine('throw', 0, CHUNK))))
    const engine = await remote(hosts)
    const gateway = await startGateway(engine)
    const path = '/v1/tensors/uniform?shape=128,1024&seed=21'

    const refused = await request(gateway.origin + path)
    expect(refused.statusCode).toBe(503)
    expect((await refused.body.json() as { code: string }).code).toBe('engine-unavailable')

    for (const h of hosts) h.engine.armed = false
    await until(() => engine.info.concurrency === 2, 5000, 'hosts re-admitted')
    const { statusCode, headers, body } = await request(gateway.origin + path)
    expect(statusCode).toBe(200)
    expect(headers['content-length']).toBe(String(n * 4))
    let received = 0
    const outcome = (async () => {
      for await (const chunk of body) {
        received += (chunk as Buffer).length
        if (received > 0 && !hosts[0]!.engine.armed) {
          // Every host now fails every request, and the ones in flight lose their sockets.
          for (const h of hosts) {
            h.engine.armed = true
            h.app.server.closeAllConnections()
          }
        }
      }
    })()
    await expect(outcome).rejects.toThrow()
    expect(received).toBeGreaterThan(0)
    expect(received).toBeLessThan(n * 4)
  })
})

describe('remote engine: aborts', () => {
  test('aborting the consumer cancels the hosts\' requests at once', async () => {
    // Each host sends one chunk per request, then holds the rest: only an abort ends those requests.
    const hosts = await Promise.all([0, 1].map(async () => await startHost(new FaultyEngine('stall', 1, CHUNK))))
    const engine = await remote(hosts, { headersTimeoutMs: 30_000, bodyTimeoutMs: 30_000 })
    const controller = new AbortController()
    const started = Date.now()
    const consumed = collect(engine.stream(plan, { start: 0, end: n }, { signal: controller.signal }))
    consumed.catch(() => {})
    for (const h of hosts) await until(() => h.engine.faults > 0, 5000, 'hosts to stall')
    expect(await metric(hosts[0]!.origin, 'tensor_streams_active')).toBeGreaterThan(0)
    controller.abort(new Error('client went away'))
    await expect(consumed).rejects.toThrow('client went away')
    // The hosts saw their clients go: every stalled stream ended, none through a timeout.
    for (const h of hosts) {
      await expect.poll(async () => await metric(h.origin, 'tensor_streams_active'), { timeout: 5000 }).toBe(0)
      expect(await metric(h.origin, 'tensor_streams_aborted_total')).toBeGreaterThan(0)
    }
    expect(Date.now() - started).toBeLessThan(10_000)
  })
})
