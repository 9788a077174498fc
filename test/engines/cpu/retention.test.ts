import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type CpuEngine, createCpuEngine } from '../../../src/engines/cpu/cpu-engine.ts'
import { buildPlan } from '../../../src/initializers/build-plan.ts'

/**
 * A stream must not hold on to the chunks it has handed out: streaming 4 GiB has to fit in a
 * bounded amount of memory (design §4). The HTTP layer always passes an abort signal, so this is
 * checked with one: chunks already yielded and dropped by the consumer must be collectable while
 * the stream is still running.
 */

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

let engine: CpuEngine

beforeAll(() => {
  engine = createCpuEngine({ threads: 2, chunkBytes: 64 * 1024, window: 2 })
})

afterAll(async () => {
  await engine.close()
})

it('lets yielded chunks be collected while the stream (with a signal) goes on', async () => {
  const plan = buildPlan({ initializer: 'uniform', shape: [64 * 16 * 1024], seed: 1 }, 'json')
  const controller = new AbortController()
  const refs: Array<WeakRef<Uint8Array>> = []
  const it = engine.stream(plan, { start: 0, end: 64 * 16 * 1024 }, { signal: controller.signal })[Symbol.asyncIterator]()
  for (let i = 0; i < 40; i++) {
    const r = await it.next()
    if (r.done === true) throw new Error('stream ended early')
    refs.push(new WeakRef(r.value))
  }
  // WeakRef targets stay alive until the current job ends: collect from a fresh macrotask.
  await new Promise((resolve) => setTimeout(resolve, 0))
  gc()
  await new Promise((resolve) => setTimeout(resolve, 0))
  gc()
  const alive = refs.slice(0, 30).filter((r) => r.deref() !== undefined).length
  expect(alive).toBe(0)
  controller.abort()
  await expect(it.next()).rejects.toMatchObject({ name: 'AbortError' })
})
