import { createHash } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.ts'
import { type CpuEngine, createCpuEngine } from '../../src/engines/cpu/cpu-engine.ts'
import { executeRange } from '../../src/engines/reference/execute.ts'
import { npyEncoding } from '../../src/formats/npy.ts'
import { buildPlan } from '../../src/initializers/build-plan.ts'
import { InlineEngine } from '../support/inline-engine.ts'

/**
 * The HTTP body hands chunk memory back to the cpu engine (ChunkRecycler) only once the socket has
 * written it (src/http/body-stream.ts). These tests stream over real sockets with clients that
 * stall, so writes complete partially and late, with chunks far smaller than the body stream's
 * 64 KiB buffer (the case where releasing by pull order would hand out memory libuv still
 * sends), and compare every byte with the reference kernels. They also check that memory was in
 * fact reused, so a rule that never releases would fail them too.
 */

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

/** Reads the whole body, stalling now and then so the server's writes back up. */
async function readStalling (url: string, headers: Record<string, string> = {}): Promise<{ status: number, body: Buffer }> {
  const res = await request(url, { headers })
  const parts: Buffer[] = []
  let n = 0
  for await (const chunk of res.body) {
    parts.push(chunk as Buffer)
    if (++n % 7 === 0) await sleep(2)
  }
  return { status: res.statusCode, body: Buffer.concat(parts) }
}

for (const chunkBytes of [4 * 1024, 96 * 1024]) {
  describe(`cpu engine chunks of ${chunkBytes / 1024} KiB over a real socket`, () => {
    let engine: CpuEngine
    let origin: string
    let close: () => Promise<void>

    beforeAll(async () => {
      engine = createCpuEngine({ threads: 2, chunkBytes })
      const app = await buildApp({ logger: false, engine })
      await app.listen({ host: '127.0.0.1', port: 0 })
      origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
      close = async () => {
        await app.close()
        await engine.close()
      }
    })
    afterAll(async () => { await close() })

    it('streams the exact bytes while reusing chunk memory', async () => {
      const shape = [1531, 1009]
      const plan = buildPlan({ initializer: 'normal', shape, seed: '18446744073709551557' }, 'json')
      const expected = sha256(executeRange(plan, 0, shape[0]! * shape[1]!))
      const before = engine.load.reused
      for (let round = 0; round < 2; round++) {
        const { status, body } = await readStalling(`${origin}/v1/tensors/normal?shape=${shape.join(',')}&seed=18446744073709551557`)
        expect(status).toBe(200)
        expect(body.length).toBe(shape[0]! * shape[1]! * 4)
        expect(sha256(body)).toBe(expected)
      }
      expect(engine.load.reused - before).toBeGreaterThan(0)
    })

    it('serves a range with ragged ends exactly (chunks trimmed at both ends)', async () => {
      const shape = [999_983]
      const plan = buildPlan({ initializer: 'he_uniform', shape: [shape[0]!, 1], dtype: 'bfloat16', seed: 77 }, 'json')
      const encoding = npyEncoding([shape[0]!, 1], 'bfloat16')
      const full = Buffer.concat([encoding.header, executeRange(plan, 0, shape[0]!)])
      const first = 12_345
      const last = full.length - 54_321
      const before = engine.load.reused
      const { status, body } = await readStalling(
        `${origin}/v1/tensors/he_uniform?shape=${shape[0]},1&dtype=bfloat16&seed=77`,
        { accept: 'application/x-npy', range: `bytes=${first}-${last}` }
      )
      expect(status).toBe(206)
      expect(sha256(body)).toBe(sha256(full.subarray(first, last + 1)))
      expect(engine.load.reused - before).toBeGreaterThan(0)
    })

    it('streams a checkpoint whose tensors share one recycler exactly', async () => {
      // Tensors of several item sizes one after the other: a later tensor's chunks may be computed
      // into buffers an earlier tensor's chunks released.
      const manifest = {
        seed: 5,
        tensors: [
          { name: 'a', shape: [300, 517], initializer: 'normal' },
          { name: 'b', shape: [211, 389], initializer: 'glorot_uniform', dtype: 'bfloat16' },
          { name: 'c', shape: [97, 1001], initializer: 'he_normal', dtype: 'float64' },
          { name: 'd', shape: [64, 771], initializer: 'uniform', dtype: 'float16' }
        ]
      }
      const reference = new InlineEngine()
      const referenceApp = await buildApp({ logger: false, engine: reference })
      const expected = (await referenceApp.inject({ method: 'POST', url: '/v1/checkpoints', payload: manifest })).rawPayload
      await referenceApp.close()
      await reference.close()
      const before = engine.load.reused
      const res = await request(`${origin}/v1/checkpoints`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(manifest) })
      expect(res.statusCode).toBe(200)
      const parts: Buffer[] = []
      let n = 0
      for await (const chunk of res.body) {
        parts.push(chunk as Buffer)
        if (++n % 5 === 0) await sleep(2)
      }
      const body = Buffer.concat(parts)
      expect(body.length).toBe(expected.length)
      expect(sha256(body)).toBe(sha256(expected))
      expect(engine.load.reused - before).toBeGreaterThan(0)
    })

    it('keeps concurrent responses apart (each has its own recycler)', async () => {
      const urls = [3, 4, 5].map((seed) => `${origin}/v1/tensors/uniform?shape=700001&seed=${seed}`)
      const bodies = await Promise.all(urls.map(async (url) => await readStalling(url)))
      for (const [i, seed] of [3, 4, 5].entries()) {
        const plan = buildPlan({ initializer: 'uniform', shape: [700_001], seed }, 'json')
        expect(sha256(bodies[i]!.body), `seed ${seed}`).toBe(sha256(executeRange(plan, 0, 700_001)))
      }
    })
  })
}
