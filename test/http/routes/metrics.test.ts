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

  test('the cpu engine\'s queue and details', async () => {
    const { buildApp } = await import('../../../src/app.ts')
    const { loadConfig } = await import('../../../src/config.ts')
    const app = await buildApp({ config: loadConfig({ WORKER_THREADS: '1' }), logger: false })
    try {
      const text = (await app.inject('/metrics')).body
      expect(text).toMatch(/^engine_queued_chunks 0$/m)
      expect(text).toMatch(/^engine_detail\{key="threads"\} 1$/m)
    } finally {
      await app.close()
    }
  })
})
