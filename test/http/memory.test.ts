import { request } from 'undici'
import { expect, test } from 'vitest'
import { listen } from '../support/helper.ts'

const MiB = 2 ** 20
const GiB = 2 ** 30

test('a 2 GiB tensor streams with bounded memory (peak RSS growth < 100 MiB)', async () => {
  // constant is the cheapest kernel: the point is what the HTTP path holds, not compute speed.
  const { origin } = await listen()
  const url = `${origin}/v1/tensors/constant?shape=536870912&value=0.5&format=npy`
  // Warm up (JIT, buffers, the first chunk allocations), then take the baseline.
  await (await request(`${origin}/v1/tensors/constant?shape=16777216&value=0.5`)).body.dump()
  globalThis.gc?.()
  const baseline = process.memoryUsage().rss
  let peak = baseline
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss) }, 20)
  try {
    const res = await request(url)
    expect(res.statusCode).toBe(200)
    const total = Number(res.headers['content-length'])
    expect(total).toBeGreaterThan(2 * GiB)
    let received = 0
    let last = -1
    // A client that discards what it reads; spot-check the last element.
    for await (const chunk of res.body) {
      received += (chunk as Buffer).length
      if ((chunk as Buffer).length >= 4) last = (chunk as Buffer).readFloatLE((chunk as Buffer).length - 4)
    }
    expect(received).toBe(total)
    expect(last).toBe(0.5)
  } finally {
    clearInterval(sampler)
  }
  const growth = (peak - baseline) / MiB
  expect(growth).toBeLessThan(100)
}, 120_000)
