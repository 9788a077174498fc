import { request } from 'undici'
import { describe, expect, test } from 'vitest'
import { listen } from '../../support/helper.ts'

function sample (text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels))
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1))
}

describe('GET /metrics', () => {
  test('counts requests by route pattern, bytes streamed by format, aborted streams, and describes the engine', async () => {
    const { app, origin } = await listen()
    await app.inject('/v1/tensors/uniform?shape=10,10&format=npy')
    await app.inject('/v1/tensors/uniform?shape=5&format=raw')
    await app.inject('/v1/tensors/nope?shape=5')
    const controller = new AbortController()
    const res = await request(`${origin}/v1/tensors/constant?shape=67108864&value=1`, { signal: controller.signal })
    // Read the first chunk, then go away.
    await new Promise((resolve) => res.body.once('data', resolve))
    controller.abort()
    await new Promise((resolve) => setTimeout(resolve, 200))

    const metrics = await app.inject('/metrics')
    expect(metrics.statusCode).toBe(200)
    expect(metrics.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/)
    const text = metrics.body
    expect(sample(text, 'http_requests_total', 'route="/v1/tensors/:id",status_code="200"')).toBe(2)
    expect(sample(text, 'http_requests_total', 'route="/v1/tensors/:id",status_code="404"')).toBe(1)
    expect(text).toMatch(/http_request_duration_seconds_bucket\{le="0\.1",method="GET",route="\/v1\/tensors\/:id",status_code="200"\}/)
    expect(sample(text, 'tensor_bytes_streamed_total', 'format="raw"')).toBeGreaterThanOrEqual(20)
    expect(sample(text, 'tensor_bytes_streamed_total', 'format="npy"')).toBe(128 + 400)
    expect(sample(text, 'tensor_streams_aborted_total', 'format="raw"')).toBe(1)
    expect(text).toContain('tensor_streams_active 0')
    expect(text).toContain('engine_info{name="cpu",device="cpu",version="inline-test"} 1')
    expect(text).toContain('engine_concurrency 1')
    expect(text).toContain('process_resident_memory_bytes')
  })

  test('the cpu engine\'s queue: chunks waiting for its one thread while streams are pending, none after', async () => {
    const { buildApp } = await import('../../../src/app.ts')
    const { loadConfig } = await import('../../../src/config.ts')
    const app = await buildApp({ config: loadConfig({ WORKER_THREADS: '1' }), logger: false })
    try {
      const queued = async (): Promise<number> => {
        const line = (await app.inject('/metrics')).body.split('\n').find((l) => l.startsWith('engine_queued_chunks '))
        return Number(line?.slice('engine_queued_chunks '.length))
      }
      expect(await queued()).toBe(0)
      // An orthogonal matrix is one whole-matrix task (chunking.ts) of a few hundred milliseconds
      // of QR, run in the whole-matrix lane, WHOLE_TENSOR_CONCURRENCY (default 1) at a time: of
      // four such requests, one runs and up to three wait in the engine's queue.
      const pending = [1, 2, 3, 4].map(async (seed) => await app.inject(`/v1/tensors/orthogonal?shape=384,384&seed=${seed}&format=raw`))
      let seen = 0
      const deadline = Date.now() + 10_000
      while (seen === 0 && Date.now() < deadline) {
        seen = await queued()
        if (seen === 0) await new Promise((resolve) => setTimeout(resolve, 5))
      }
      expect(seen).toBeGreaterThanOrEqual(1)
      expect(seen).toBeLessThanOrEqual(3)
      for (const res of await Promise.all(pending)) expect(res.statusCode).toBe(200)
      expect(await queued()).toBe(0)
      const text = (await app.inject('/metrics')).body
      expect(text).toMatch(/^engine_queued_chunks 0$/m)
      expect(text).toMatch(/^engine_detail\{key="threads"\} 1$/m)
    } finally {
      await app.close()
    }
  })
})
