import { describe, expect, it } from 'vitest'
import { createCpuEngine } from '../../../src/engines/cpu/cpu-engine.ts'
import { executeRange } from '../../../src/engines/reference/index.ts'
import { buildPlan } from '../../../src/initializers/build-plan.ts'
import { elementCount, type Plan } from '../../../src/core/plan.ts'

/**
 * One huge tensor must not starve small requests (issue 4). Asserted by counts and order, not by
 * clocks: how far the big stream got while the small ones ran.
 */

/**
 * An 8x8 bfloat16 normal: half dtypes always go through the pool (tiny float32 ranges are
 * computed on the calling thread and would not test the pool's fairness).
 */
function smallPlan (seed: number): Plan {
  return buildPlan({ initializer: 'normal', shape: [8, 8], dtype: 'bfloat16', seed }, 'json')
}

/** Yields to the event loop until the condition holds (the readers run meanwhile). */
async function until (condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve))
}

async function collect (chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = []
  for await (const c of chunks) parts.push(c)
  return Buffer.concat(parts)
}

describe('cpu engine fairness', () => {
  it('serves small requests while a large tensor streams to a slow reader', async () => {
    const engine = createCpuEngine({ threads: 2, chunkBytes: 64 * 1024, window: 4 })
    try {
      const big = buildPlan({ initializer: 'normal', shape: [400 * 16 * 1024], seed: 1 }, 'json')
      const chunks = 400
      let received = 0
      let stop = false
      const reader = (async () => {
        for await (const chunk of engine.stream(big, { start: 0, end: elementCount(big.shape) })) {
          received += chunk.byteLength > 0 ? 1 : 0
          if (stop) break
          // a slow client: one chunk per timer tick
          await new Promise((resolve) => setTimeout(resolve, 2))
        }
      })()
      await until(() => received >= 2)
      const smalls = Array.from({ length: 24 }, (_, i) => smallPlan(100 + i))
      const results = await Promise.all(smalls.map(async (p) => collect(engine.stream(p, { start: 0, end: 64 }))))
      const receivedWhenDone = received
      stop = true
      await reader
      for (let i = 0; i < smalls.length; i++) expect(results[i]!.equals(executeRange(smalls[i]!, 0, 64))).toBe(true)
      // All 24 small tensors were done while the large one had delivered under a tenth of its chunks.
      expect(receivedWhenDone).toBeLessThan(chunks / 10)
    } finally {
      await engine.close()
    }
  })

  it('lets a small request pass a large stream\'s queued chunks (round robin, not FIFO)', async () => {
    // One thread and a wide window: the large stream keeps 15 chunks queued behind the running one.
    const engine = createCpuEngine({ threads: 1, chunkBytes: 16 * 1024, window: 16 })
    try {
      const big = buildPlan({ initializer: 'normal', shape: [200 * 4096], seed: 2 }, 'json')
      let received = 0
      const reader = (async () => {
        for await (const chunk of engine.stream(big, { start: 0, end: elementCount(big.shape) })) received += chunk.byteLength > 0 ? 1 : 0
      })()
      await until(() => received >= 2)
      expect(engine.load.queued).toBeGreaterThanOrEqual(10)
      const startedBefore = engine.load.started
      const small = smallPlan(7)
      const bytes = await collect(engine.stream(small, { start: 0, end: 64 }))
      const startedDuring = engine.load.started - startedBefore
      await reader
      expect(bytes.equals(executeRange(small, 0, 64))).toBe(true)
      // Round robin hands the small chunk to the pool after at most one more large chunk; it then
      // waits behind the chunk running in the worker (two tasks per thread), and each large chunk
      // finishing meanwhile frees a slot for the next one: a handful in all. FIFO would have
      // started the ~15 queued large chunks first.
      expect(startedDuring).toBeLessThanOrEqual(6)
      expect(received).toBe(200)
    } finally {
      await engine.close()
    }
  })
})
