import { describe, expect, test } from 'vitest'
import { executeRange } from '../../../src/engines/reference/execute.ts'
import { buildPlan } from '../../../src/initializers/build-plan.ts'
import { elementCount } from '../../../src/core/plan.ts'
import { collect, GpuLikeEngine, OtherClassEngine, remote, startHost, startInlineHosts } from './support.ts'

describe('remote engine: splicing sub-ranges from several hosts', () => {
  test('the whole tensor equals the reference, and every host served a share', async () => {
    const hosts = await startInlineHosts(3)
    const engine = await remote(hosts, { partBytes: 40_000 })
    // 300 x 1001 float32 = 1.2 MB: 31 parts, the last one short; 40_000 is no multiple of a row.
    const plan = buildPlan({ initializer: 'uniform', shape: [300, 1001], seed: 11 }, 'json')
    const bytes = await collect(engine.stream(plan, { start: 0, end: elementCount(plan.shape) }))
    expect(Buffer.compare(bytes, executeRange(plan, 0, elementCount(plan.shape)))).toBe(0)
    for (const host of hosts) expect(host.engine.elementsComputed).toBeGreaterThan(0)
    const total = hosts.reduce((n, h) => n + h.engine.elementsComputed, 0)
    expect(total).toBe(elementCount(plan.shape))
    expect(engine.info.details?.partsFetched).toBe(31)
    expect(engine.info.details?.partRetries).toBe(0)
  })

  test('element ranges, half dtypes, explicit keys and parameters', async () => {
    const hosts = await startInlineHosts(2)
    const engine = await remote(hosts, { partBytes: 8192, connectionsPerHost: 3 })
    const plans = [
      buildPlan({ initializer: 'he_normal', shape: [257, 129], dtype: 'bfloat16', key: [3, 99], params: { mode: 'fan_out' }, gain: 0.5 }, 'json'),
      buildPlan({ initializer: 'normal', shape: [70_001], dtype: 'float16', seed: '18446744073709551615', draw: 4, profile: 'mlx-0.13' }, 'json'),
      buildPlan({ initializer: 'glorot_uniform', shape: [64, 3, 3, 17], seed: 5 }, 'json')
    ]
    for (const plan of plans) {
      const n = elementCount(plan.shape)
      for (const [start, end] of [[0, n], [1, n - 1], [Math.floor(n / 3), Math.floor(n / 3) + 1], [n - 7, n], [5, 5]] as Array<[number, number]>) {
        const bytes = await collect(engine.stream(plan, { start, end }))
        expect(Buffer.compare(bytes, executeRange(plan, start, end)), `${plan.initializer} [${start}, ${end})`).toBe(0)
      }
    }
  })

  test('refuses element ranges outside the tensor', async () => {
    const engine = await remote(await startInlineHosts(1))
    const plan = buildPlan({ initializer: 'uniform', shape: [10], seed: 1 }, 'json')
    await expect(collect(engine.stream(plan, { start: 0, end: 11 }))).rejects.toThrow(RangeError)
    await expect(collect(engine.stream(plan, { start: 4, end: 3 }))).rejects.toThrow(RangeError)
  })
})

describe('remote engine: exactness classes', () => {
  const plan = buildPlan({ initializer: 'uniform', shape: [100, 1000], seed: 2 }, 'json')
  const n = elementCount(plan.shape)

  test('the larger class serves; a host of another class computes nothing', async () => {
    const exactHosts = await startInlineHosts(2)
    const close = await startHost(new OtherClassEngine({ class: 'close', ulp: 2 }))
    const engine = await remote([...exactHosts, close])
    expect(engine.exactness(plan)).toEqual({ class: 'exact' })
    expect(engine.info.exactness['mlx-0.32']).toEqual({ class: 'exact' })
    const bytes = await collect(engine.stream(plan, { start: 0, end: n }))
    expect(Buffer.compare(bytes, executeRange(plan, 0, n))).toBe(0)
    expect(close.engine.elementsComputed).toBe(0)
  })

  test('when the close class is larger it serves alone, and says so', async () => {
    const exactHost = await startHost(new OtherClassEngine({ class: 'exact' }))
    const closeHosts = await Promise.all([0, 1].map(async () => await startHost(new OtherClassEngine({ class: 'close', ulp: 2 }))))
    const engine = await remote([exactHost, ...closeHosts])
    expect(engine.exactness(plan)).toEqual({ class: 'close', ulp: 2 })
    const bytes = await collect(engine.stream(plan, { start: 0, end: n }))
    expect(Buffer.compare(bytes, executeRange(plan, 0, n).map((b) => b ^ 1))).toBe(0)
    expect(exactHost.engine.elementsComputed).toBe(0)
  })

  test('exactness=exact admits the exact class only', async () => {
    const exactHost = (await startInlineHosts(1))[0]!
    const closeHosts = await Promise.all([0, 1].map(async () => await startHost(new OtherClassEngine({ class: 'close', ulp: 2 }))))
    const engine = await remote([exactHost, ...closeHosts], { exactness: 'exact' })
    expect(engine.exactness(plan)).toEqual({ class: 'exact' })
    const bytes = await collect(engine.stream(plan, { start: 0, end: n }))
    expect(Buffer.compare(bytes, executeRange(plan, 0, n))).toBe(0)
    for (const h of closeHosts) expect(h.engine.elementsComputed).toBe(0)
  })
})

describe('remote engine: classes per plan (Metal hosts)', () => {
  test('GPU hosts are exact for float32 uniforms: they serve alongside CPU hosts', async () => {
    const gpus = await Promise.all([0, 1].map(async () => await startHost(new GpuLikeEngine())))
    const cpu = (await startInlineHosts(1))[0]!
    const engine = await remote([...gpus, cpu])
    // Their tables say close (the worst case); for this plan they are exact, as their ETags say.
    expect(engine.info.exactness['mlx-0.32']).toEqual({ class: 'close', ulp: 16 })
    const plan = buildPlan({ initializer: 'glorot_uniform', shape: [300, 700], seed: 4 }, 'json')
    const n = elementCount(plan.shape)
    expect(engine.exactness(plan)).toEqual({ class: 'exact' })
    const bytes = await collect(engine.stream(plan, { start: 0, end: n }))
    expect(Buffer.compare(bytes, executeRange(plan, 0, n))).toBe(0)
    for (const h of [...gpus, cpu]) expect(h.engine.elementsComputed).toBeGreaterThan(0)
    expect(engine.info.details?.partRetries).toBe(0)
  })

  test('for normals the GPU class is close: the larger GPU group serves alone', async () => {
    const gpus = await Promise.all([0, 1].map(async () => await startHost(new GpuLikeEngine())))
    const cpu = (await startInlineHosts(1))[0]!
    const engine = await remote([...gpus, cpu])
    const plan = buildPlan({ initializer: 'he_normal', shape: [300, 700], seed: 4 }, 'json')
    const n = elementCount(plan.shape)
    expect(engine.exactness(plan)).toEqual({ class: 'close', ulp: 16 })
    const bytes = await collect(engine.stream(plan, { start: 0, end: n }))
    expect(Buffer.compare(bytes, executeRange(plan, 0, n).map((b) => b ^ 1))).toBe(0)
    expect(cpu.engine.elementsComputed).toBe(0)
    // With exactness=exact the CPU host serves instead.
    const exactOnly = await remote([...gpus, cpu], { exactness: 'exact' })
    const exact = await collect(exactOnly.stream(plan, { start: 0, end: n }))
    expect(Buffer.compare(exact, executeRange(plan, 0, n))).toBe(0)
  })
})
