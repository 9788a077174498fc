import { describe, expect, test } from 'vitest'
import { request } from 'undici'
import { FaultyEngine, remote, startGateway, startHost, startInlineHosts, until } from './support.ts'

const PATH = '/v1/tensors/he_uniform?shape=96,1000&seed=8&mode=fan_out&gain=2'

async function get (url: string, headers: Record<string, string> = {}): Promise<{ status: number, headers: Record<string, unknown>, body: Buffer }> {
  const res = await request(url, { headers })
  return { status: res.statusCode, headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()) }
}

describe('a gateway answers as a host would', () => {
  test('same bytes, same strong ETag, same Range answers; headers name the remote engine', async () => {
    const hosts = await startInlineHosts(2)
    const gateway = await startGateway(await remote(hosts))
    const direct = await get(hosts[0]!.origin + PATH)
    const via = await get(gateway.origin + PATH)
    expect(via.status).toBe(200)
    expect(Buffer.compare(via.body, direct.body)).toBe(0)
    // RFC 9110 §8.8.3: equal strong tags promise equal bytes, whichever instance computed them.
    expect(via.headers.etag).toBe(direct.headers.etag)
    expect(via.headers['x-tensor-engine']).toBe('remote')
    expect(via.headers['x-tensor-exactness']).toBe('exact')

    const range = 'bytes=1000-200001'
    const part = await get(gateway.origin + PATH, { range })
    expect(part.status).toBe(206)
    expect(part.headers['content-range']).toBe(`bytes 1000-200001/${direct.body.length}`)
    expect(Buffer.compare(part.body, direct.body.subarray(1000, 200002))).toBe(0)

    const npyDirect = await get(`${hosts[1]!.origin}${PATH}&format=npy`, { range: 'bytes=100-' })
    const npyVia = await get(`${gateway.origin}${PATH}&format=npy`, { range: 'bytes=100-' })
    expect(npyVia.status).toBe(206)
    expect(Buffer.compare(npyVia.body, npyDirect.body)).toBe(0)

    const notModified = await get(gateway.origin + PATH, { 'if-none-match': String(direct.headers.etag) })
    expect(notModified.status).toBe(304)
  })

  test('HEAD and 304 cost the hosts nothing', async () => {
    const hosts = await startInlineHosts(2)
    const gateway = await startGateway(await remote(hosts))
    const head = await request(gateway.origin + PATH, { method: 'HEAD' })
    await head.body.dump()
    expect(head.statusCode).toBe(200)
    expect(head.headers['content-length']).toBe(String(96 * 1000 * 4))
    const etag = String(head.headers.etag)
    expect((await get(gateway.origin + PATH, { 'if-none-match': etag })).status).toBe(304)
    for (const h of hosts) expect(h.engine.ranges).toHaveLength(0)
  })

  test('/readyz shows the pool; 503 once no host is ready', async () => {
    const hosts = await startInlineHosts(2)
    const engine = await remote(hosts)
    const gateway = await startGateway(engine)
    const ready = await request(`${gateway.origin}/readyz`)
    const body = await ready.body.json() as { engine: { name: string, concurrency: number, exactness: Record<string, unknown>, details: { workers: unknown[] } } }
    expect(ready.statusCode).toBe(200)
    expect(body.engine.name).toBe('remote')
    expect(body.engine.concurrency).toBe(2)
    expect(body.engine.exactness['mlx-0.32']).toEqual({ class: 'exact' })
    expect(body.engine.details.workers).toHaveLength(2)

    for (const h of hosts) {
      h.app.server.closeAllConnections()
      await h.app.close()
    }
    await expect.poll(async () => (await request(`${gateway.origin}/readyz`).then(async (r) => { await r.body.dump(); return r.statusCode })), { timeout: 5000 }).toBe(503)
  })
})

describe('a client leaving the gateway', () => {
  test('ends the hosts\' streams at once', async () => {
    // Hosts send one chunk per request and then hold the rest until their client goes.
    const hosts = await Promise.all([0, 1].map(async () => await startHost(new FaultyEngine('stall', 1, { chunkBytes: 16 * 1024 }))))
    const gateway = await startGateway(await remote(hosts, { headersTimeoutMs: 30_000, bodyTimeoutMs: 30_000 }))
    const controller = new AbortController()
    // No byte reaches the client (each part waits for its second chunk), so not even its headers:
    // the client gives up while the gateway waits on the hosts.
    const pending = request(gateway.origin + PATH, { signal: controller.signal }).then(async (res) => { await res.body.dump() })
    for (const h of hosts) await until(() => h.engine.faults > 0, 5000, 'hosts to stall')
    const active = async (origin: string): Promise<number> => {
      const text = await (await request(`${origin}/metrics`)).body.text()
      return Number(/^tensor_streams_active (\S+)$/m.exec(text)?.[1])
    }
    expect(await active(hosts[0]!.origin) + await active(hosts[1]!.origin)).toBeGreaterThan(0)
    controller.abort()
    await expect(pending).rejects.toThrow()
    for (const h of hosts) await expect.poll(async () => await active(h.origin), { timeout: 5000 }).toBe(0)
  })
})
