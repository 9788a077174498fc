import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CpuEngine, createCpuEngine } from '../../src/engines/cpu/cpu-engine.ts'
import { executeRange } from '../../src/engines/reference/index.ts'
import { buildPlan } from '../../src/initializers/build-plan.ts'
import { elementCount, type Plan } from '../../src/core/plan.ts'

/**
 * Issue 12 "Cancellable, bounded CPU work", against a real cpu engine (two worker threads, the
 * default whole-tensor lane: one QR at a time, 64 MiB of results kept). Each whole-matrix stream
 * is aborted or finished before its test ends, so nothing runs on after the file.
 */

const orthogonal = (seed: number, n = 1024): Plan => buildPlan({ initializer: 'orthogonal', shape: [n, n], seed }, 'json')
const small = (seed: number): Plan => buildPlan({ initializer: 'normal', shape: [256, 256], dtype: 'float16', seed }, 'json')

async function drain (stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const chunk of stream) parts.push(chunk)
  return Buffer.concat(parts)
}

/** Milliseconds the small float16 request takes, checked against the reference bytes. */
async function timedSmall (engine: CpuEngine, seed: number): Promise<number> {
  const plan = small(seed)
  const started = performance.now()
  const bytes = await drain(engine.stream(plan, { start: 0, end: elementCount(plan.shape) }))
  const took = performance.now() - started
  expect(Buffer.from(bytes).equals(Buffer.from(executeRange(plan, 0, elementCount(plan.shape))))).toBe(true)
  return took
}

async function settled (engine: CpuEngine, withinMs: number): Promise<number> {
  const started = performance.now()
  while (engine.load.queued + engine.load.running > 0 && performance.now() - started < withinMs) {
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  return performance.now() - started
}

function cpuSeconds (since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since)
  return (used.user + used.system) / 1e6
}

describe('whole-matrix work under hostile load', () => {
  let engine: CpuEngine
  beforeAll(() => {
    engine = createCpuEngine({ threads: 2 })
  })
  afterAll(async () => {
    await engine.close()
  })

  it('10 orthogonal 1024x1024 aborted after 0.2 s: the work stops, a small request answers within 1 s', async () => {
    await timedSmall(engine, 0) // warm the workers (wasm compile, half tables)
    const cpu = process.cpuUsage()
    const controllers = Array.from({ length: 10 }, () => new AbortController())
    const streams = controllers.map(async (controller, i) => await drain(engine.stream(orthogonal(100 + i), { start: 0, end: 1024 * 1024 }, { signal: controller.signal })))
    await new Promise((resolve) => setTimeout(resolve, 200))
    for (const controller of controllers) controller.abort()
    const outcomes = await Promise.allSettled(streams)
    expect(outcomes.every((o) => o.status === 'rejected')).toBe(true)
    const took = await timedSmall(engine, 1)
    const stopped = await settled(engine, 2000)
    const burned = cpuSeconds(cpu)
    console.log(`aborted orthogonals: small request ${took.toFixed(0)} ms after the aborts, engine idle ${stopped.toFixed(0)} ms after, ${burned.toFixed(2)} CPU-s burned`)
    expect(took).toBeLessThan(1000)
    // The running QR stops between Householder columns (~ms), not after its 4+ s.
    expect(stopped).toBeLessThan(500)
    expect(engine.load).toMatchObject({ queued: 0, running: 0 })
    // Before: 46.6 CPU-s (every QR ran to the end). Now: the 0.2 s of one QR, and the small requests.
    expect(burned).toBeLessThan(3)
  })

  it('a Range of an orthogonal computed moments ago, and a retry, answer from the cache', async () => {
    const plan = orthogonal(7, 512)
    const n = elementCount(plan.shape)
    const started = performance.now()
    const whole = await drain(engine.stream(plan, { start: 0, end: n }))
    const first = performance.now() - started
    const before = engine.load.started
    const t0 = performance.now()
    const head = await drain(engine.stream(plan, { start: 0, end: 1 }))
    const tail = await drain(engine.stream(plan, { start: n - 1000, end: n }))
    const again = await drain(engine.stream(plan, { start: 0, end: n }))
    const cached = performance.now() - t0
    console.log(`orthogonal 512x512: ${first.toFixed(0)} ms computed, ${cached.toFixed(1)} ms for three reads from the cache`)
    expect(engine.load.started).toBe(before) // nothing recomputed
    expect(Buffer.from(head).equals(Buffer.from(whole.subarray(0, 4)))).toBe(true)
    expect(Buffer.from(tail).equals(Buffer.from(whole.subarray((n - 1000) * 4)))).toBe(true)
    expect(Buffer.from(again).equals(Buffer.from(whole))).toBe(true)
    expect(Buffer.from(head).equals(Buffer.from(executeRange(plan, 0, 1)))).toBe(true)
    expect(cached).toBeLessThan(Math.max(50, first / 5))
    expect(engine.wholeCache.entries).toBeGreaterThanOrEqual(1)
  })

  it('6 concurrent orthogonal 1024x1024: a small float16 request still answers within ~1 s', async () => {
    const controllers = Array.from({ length: 6 }, () => new AbortController())
    const streams = controllers.map(async (controller, i) => await drain(engine.stream(orthogonal(200 + i), { start: 0, end: 1024 * 1024 }, { signal: controller.signal })))
    await new Promise((resolve) => setTimeout(resolve, 300))
    const times: number[] = []
    for (let i = 0; i < 3; i++) times.push(await timedSmall(engine, 10 + i))
    // At most wholeTensor.concurrency QRs run; the other five wait in their own queue.
    expect(engine.load.running).toBeLessThanOrEqual(1)
    for (const controller of controllers) controller.abort()
    await Promise.allSettled(streams)
    console.log(`small float16 during 6 orthogonals: ${times.map((t) => t.toFixed(0)).join(', ')} ms`)
    expect(Math.max(...times)).toBeLessThan(1000)
    expect(await settled(engine, 2000)).toBeLessThan(500)
  })

  it('abort of a normal stream cancels its queued and awaited chunks at once', async () => {
    const plan = buildPlan({ initializer: 'normal', shape: [64, 1024, 1024], dtype: 'float32', seed: 5 }, 'json')
    const controller = new AbortController()
    const iterator = engine.stream(plan, { start: 0, end: elementCount(plan.shape) }, { signal: controller.signal })[Symbol.asyncIterator]()
    await iterator.next() // the window is now full, the consumer holds one chunk and pulls no more
    expect(engine.load.queued + engine.load.running).toBeGreaterThan(0)
    controller.abort()
    // Queued chunks leave the scheduler in the abort itself, before the consumer pulls again.
    expect(engine.load.queued).toBe(0)
    await expect(iterator.next()).rejects.toThrow()
    expect(await settled(engine, 1000)).toBeLessThan(200)
    expect(engine.load).toMatchObject({ queued: 0, running: 0 })
  })
})
