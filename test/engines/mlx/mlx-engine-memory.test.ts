import { expect, it, onTestFinished } from 'vitest'
import { createMlxEngine } from '../../../src/engines/mlx/mlx-engine.ts'
import { describeOracle } from '../../support/mlx-oracle.ts'
import { plan } from './support.ts'

/**
 * Streaming keeps memory bounded (design §4). node-mlx frees MLX's buffers only when V8 collects
 * their wrappers, so without the collections after each task (mlx-runtime.ts) and an event loop
 * that turns between tasks (piscina atomics disabled) a worker keeps every buffer it made:
 * measured 1.7 GiB more after 256 MiB. In its own file so no other engine's work moves the RSS.
 */

describeOracle('mlx engine memory', () => {
  it('streams 256 MiB with the default settings without RSS growing from the first half to the second', async () => {
    const engine = await createMlxEngine()
    onTestFinished(async () => { await engine.close() })
    const n = 2 ** 26
    const p = plan({ initializer: 'normal', shape: [n], dtype: 'float32', seed: '11' })
    const rss: number[] = []
    let bytes = 0
    for await (const chunk of engine.stream(p, { start: 0, end: n })) {
      bytes += chunk.length
      rss.push(process.memoryUsage().rss)
    }
    expect(bytes).toBe(4 * n)
    // RSS moves by tens of MiB with malloc's arenas and the chunks awaiting collection in this
    // thread (measured peaks per half: 306/253, 379/358, 329/301 MiB); kept buffers would add the
    // 128 MiB streamed in between, several times over.
    const half = Math.floor(rss.length / 2)
    const firstPeak = Math.max(...rss.slice(0, half))
    const secondPeak = Math.max(...rss.slice(half))
    expect(secondPeak - firstPeak).toBeLessThan(64 * 2 ** 20)
  }, 300_000)
})
