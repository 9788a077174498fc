import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { request } from 'undici'
import { describe, expect, test } from 'vitest'
import { executeRange } from '../../src/engines/reference/execute.ts'
import { listen } from '../support/helper.ts'

const MiB = 2 ** 20

/** Waits until `read()` stops changing for `quietMs`, and returns its value. */
async function settled (read: () => number, quietMs = 300): Promise<number> {
  let last = read()
  for (;;) {
    await sleep(quietMs)
    const now = read()
    if (now === last) return now
    last = now
  }
}

describe('streaming over a real socket', () => {
  test('a client that disconnects stops the generation within a few chunks', async () => {
    const { origin, engine, app } = await listen()
    // 1 GiB of float32 in 1 MiB chunks: far more than the test will read.
    const controller = new AbortController()
    const res = await request(`${origin}/v1/tensors/constant?shape=268435456&value=1`, { signal: controller.signal })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-length']).toBe(String(1024 * MiB))
    let received = 0
    for await (const chunk of res.body) {
      received += (chunk as Buffer).length
      if (received >= 4 * MiB) break
    }
    controller.abort()
    const computed = await settled(() => engine.chunksComputed)
    // What was read, plus what sat in socket buffers and one chunk in flight.
    expect(computed).toBeLessThan(4 + 8)
    expect((await app.inject('/healthz')).statusCode).toBe(200)
  })

  test('a client that does not read holds generation back (backpressure)', async () => {
    const { origin, engine } = await listen()
    const { hostname, port } = new URL(origin)
    const socket = connect(Number(port), hostname)
    await new Promise((resolve) => socket.once('connect', resolve))
    socket.write('GET /v1/tensors/constant?shape=268435456&value=1 HTTP/1.1\r\nHost: x\r\n\r\n')
    socket.pause()
    const ahead = await settled(() => engine.chunksComputed, 500)
    expect(ahead).toBeGreaterThan(0)
    // Kernel socket buffers on loopback hold a few MiB; nothing runs beyond them.
    expect(ahead).toBeLessThan(16)
    socket.destroy()
  })

  test('HEAD sends every header of the GET and computes nothing', async () => {
    const { origin, engine } = await listen()
    const url = `${origin}/v1/tensors/he_normal?shape=1024,1024&seed=5&format=safetensors`
    const head = await request(url, { method: 'HEAD' })
    await head.body.dump()
    expect(engine.ranges).toEqual([])
    expect(engine.chunksComputed).toBe(0)
    const get = await request(url)
    const body = Buffer.from(await get.body.arrayBuffer())
    expect(head.statusCode).toBe(200)
    // Everything but the per-message fields (date, request id) and hop-by-hop connection fields.
    const perMessage = new Set(['date', 'x-request-id', 'connection', 'keep-alive'])
    const strip = (headers: Record<string, unknown>) => Object.fromEntries(Object.entries(headers).filter(([k]) => !perMessage.has(k)))
    expect(strip(head.headers)).toEqual(strip(get.headers))
    expect(Number(head.headers['content-length'])).toBe(body.length)
  })

  test('the streamed body equals the reference kernels\' bytes', async () => {
    const { origin } = await listen({ inline: { chunkBytes: 100_000 } })
    const res = await request(`${origin}/v1/tensors/uniform?shape=1000,700&seed=3`)
    const body = Buffer.from(await res.body.arrayBuffer())
    const { buildPlan } = await import('../../src/initializers/build-plan.ts')
    const plan = buildPlan({ initializer: 'uniform', shape: [1000, 700], seed: 3 }, 'json')
    expect(body.equals(Buffer.from(executeRange(plan, 0, 700_000)))).toBe(true)
  })

  test('an engine failure mid-stream cuts the connection: never a short body that looks complete', async () => {
    let calls = 0
    const { origin, app } = await listen({
      inline: {
        chunkBytes: MiB,
        compute: (plan, start, end) => {
          if (++calls === 3) throw new Error('worker died')
          return executeRange(plan, start, end)
        }
      }
    })
    const res = await request(`${origin}/v1/tensors/constant?shape=4194304&value=1`)
    expect(res.statusCode).toBe(200)
    let received = 0
    const read = (async () => {
      for await (const chunk of res.body) received += (chunk as Buffer).length
    })()
    await expect(read).rejects.toThrow()
    expect(received).toBeLessThan(16 * MiB)
    expect((await app.inject('/healthz')).statusCode).toBe(200)
  })

  test('an engine failure before the first byte is still a problem+json response', async () => {
    const { origin } = await listen({ inline: { compute: () => { throw new Error('no workers') } } })
    const res = await request(`${origin}/v1/tensors/uniform?shape=16`)
    expect(res.statusCode).toBe(500)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.headers['x-tensor-shape']).toBeUndefined()
    expect(res.headers.etag).toBeUndefined()
    const problem = await res.body.json() as { code: string, detail: string }
    expect(problem.code).toBe('internal')
    expect(problem.detail).not.toContain('no workers')
  })

  test('app.close() lets an in-flight stream finish, then closes its connection promptly', async () => {
    const { origin, app } = await listen({ inline: { chunkBytes: 64 * 1024 } })
    const res = await request(`${origin}/v1/tensors/constant?shape=2097152&value=2`)
    const started = Date.now()
    const closing = app.close()
    const body = Buffer.from(await res.body.arrayBuffer())
    await closing
    expect(body.length).toBe(8 * MiB)
    expect(body.readFloatLE(8 * MiB - 4)).toBe(2)
    // Not held open by the client's keep-alive connection (72 s).
    expect(Date.now() - started).toBeLessThan(20_000)
  })
})
