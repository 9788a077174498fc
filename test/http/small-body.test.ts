import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.ts'
import { type CpuEngine, createCpuEngine } from '../../src/engines/cpu/cpu-engine.ts'
import { executeRange } from '../../src/engines/reference/execute.ts'
import { SMALL_BODY_BYTES } from '../../src/http/send-representation.ts'
import { npyEncoding } from '../../src/formats/npy.ts'
import { buildPlan } from '../../src/initializers/build-plan.ts'

/**
 * Bodies up to SMALL_BODY_BYTES are computed before anything is sent and go out as one buffer
 * (src/http/send-representation.ts). With the cpu engine, small float32 ranges are computed on the
 * main thread (computeNow) and never reach a worker; others (half dtypes) go through the workers.
 * Either way the bytes, lengths and headers are those of the streamed path.
 */

let engine: CpuEngine
let app: FastifyInstance

beforeAll(async () => {
  engine = createCpuEngine({ threads: 1 })
  app = await buildApp({ logger: false, engine })
  await app.ready()
})
afterAll(async () => {
  await app.close()
  await engine.close()
})

describe('small bodies', () => {
  it('are computed on the main thread for float32, with the reference bytes', async () => {
    const before = engine.load.started
    for (const seed of ['0', '1', '18446744073709551615']) {
      const res = await app.inject(`/v1/tensors/normal?shape=8,8&seed=${seed}`)
      expect(res.statusCode).toBe(200)
      expect(res.headers['content-length']).toBe('256')
      expect(res.headers['x-tensor-shape']).toBe('8,8')
      expect(res.headers.etag).toMatch(/^"/)
      const plan = buildPlan({ initializer: 'normal', shape: [8, 8], seed }, 'json')
      expect(res.rawPayload.equals(Buffer.from(executeRange(plan, 0, 64)))).toBe(true)
    }
    expect(engine.load.started).toBe(before)
  })

  it('serve npy and ranges of it exactly, up to the size limit', async () => {
    const n = SMALL_BODY_BYTES / 4 - 32
    const plan = buildPlan({ initializer: 'uniform', shape: [n], seed: 9 }, 'json')
    const full = Buffer.concat([npyEncoding([n], 'float32').header, executeRange(plan, 0, n)])
    expect(full.length).toBeLessThanOrEqual(SMALL_BODY_BYTES)
    const whole = await app.inject({ url: `/v1/tensors/uniform?shape=${n}&seed=9`, headers: { accept: 'application/x-npy' } })
    expect(whole.rawPayload.equals(full)).toBe(true)
    for (const [first, last] of [[0, 9], [3, 130], [full.length - 7, full.length - 1], [129, 129]] as const) {
      const part = await app.inject({ url: `/v1/tensors/uniform?shape=${n}&seed=9`, headers: { accept: 'application/x-npy', range: `bytes=${first}-${last}` } })
      expect(part.statusCode).toBe(206)
      expect(part.headers['content-range']).toBe(`bytes ${first}-${last}/${full.length}`)
      expect(part.rawPayload.equals(full.subarray(first, last + 1)), `${first}-${last}`).toBe(true)
    }
  })

  it('go through the workers for half dtypes, with the same bytes', async () => {
    const before = engine.load.started
    const res = await app.inject({ url: '/v1/tensors/he_normal?shape=16,12&dtype=bfloat16&seed=4', headers: { accept: 'application/vnd.safetensors' } })
    expect(res.statusCode).toBe(200)
    expect(engine.load.started).toBeGreaterThan(before)
    const plan = buildPlan({ initializer: 'he_normal', shape: [16, 12], dtype: 'bfloat16', seed: 4 }, 'json')
    const body = res.rawPayload
    const headerLength = Number(body.readBigUInt64LE(0))
    expect(body.length).toBe(Number(res.headers['content-length']))
    expect(body.subarray(8 + headerLength).equals(Buffer.from(executeRange(plan, 0, 192)))).toBe(true)
  })

  it('give way to the stream just past the limit, with the same bytes', async () => {
    const n = SMALL_BODY_BYTES / 4 + 1
    const res = await app.inject(`/v1/tensors/normal?shape=${n}&seed=2`)
    expect(res.statusCode).toBe(200)
    const plan = buildPlan({ initializer: 'normal', shape: [n], seed: 2 }, 'json')
    expect(res.rawPayload.equals(Buffer.from(executeRange(plan, 0, n)))).toBe(true)
  })
})
