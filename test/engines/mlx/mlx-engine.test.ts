import { existsSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { afterAll, beforeAll, expect, it, onTestFinished } from 'vitest'
import type { Engine } from '../../../src/engines/engine.ts'
import { createMlxEngine } from '../../../src/engines/mlx/mlx-engine.ts'
import { elementCount } from '../../../src/core/plan.ts'
import { describeOracle } from '../../support/mlx-oracle.ts'
import { collect, expectReferenceBytes, plan } from './support.ts'

/** The mlx engine as an Engine: info, ranges, chunking, delegation to the reference kernels, abort, close. */

let engine: Engine

describeOracle('mlx engine', () => {
  beforeAll(async () => {
    engine = await createMlxEngine({ chunkBytes: 64 * 1024, wholeBytes: 256 * 1024 })
  })

  afterAll(async () => {
    await engine?.close()
  })

  it('describes itself: device, versions, concurrency, exact per profile on the CPU backend', () => {
    expect(engine.info).toMatchObject({
      name: 'mlx',
      device: 'cpu',
      version: '@frost-beta/mlx 0.0.7 (MLX 0.13.1)',
      concurrency: 1,
      exactness: { 'mlx-0.32': { class: 'exact' }, 'mlx-0.13': { class: 'exact' } },
      details: { backend: 'cpu', bindingVersion: '0.0.7', mlxVersion: '0.13.1', metalAvailable: false }
    })
    expect(engine.exactness(plan({ initializer: 'normal', shape: [3], dtype: 'bfloat16', seed: '1' }))).toEqual({ class: 'exact' })
  })

  it('yields chunks of at most chunkBytes, whole elements each, in order', async () => {
    const p = plan({ initializer: 'normal', shape: [300, 301], dtype: 'float16', seed: '5' })
    for (const [start, end] of [[0, 90_300], [17, 90_299]] as const) {
      const sizes: number[] = []
      for await (const chunk of engine.stream(p, { start, end })) sizes.push(chunk.length)
      expect(sizes.every((s) => s <= 64 * 1024 && s % 2 === 0 && s > 0)).toBe(true)
      expect(sizes.reduce((a, b) => a + b, 0)).toBe((end - start) * 2)
    }
    await expectReferenceBytes(engine, p, { start: 17, end: 90_299 })
  })

  it('yields nothing for an empty range or an empty tensor', async () => {
    expect(await collect(engine, plan({ initializer: 'uniform', shape: [4, 4], dtype: 'float32', seed: '1' }), { start: 5, end: 5 })).toHaveLength(0)
    expect(await collect(engine, plan({ initializer: 'glorot_normal', shape: [0, 4], dtype: 'float32', seed: '1' }), { start: 0, end: 0 })).toHaveLength(0)
  })

  it('rejects a range outside the tensor', async () => {
    const p = plan({ initializer: 'uniform', shape: [4, 4], dtype: 'float32', seed: '1' })
    await expect(collect(engine, p, { start: 0, end: 17 })).rejects.toThrow(/outside \[0, 16\)/)
    await expect(collect(engine, p, { start: 3, end: 2 })).rejects.toThrow(RangeError)
  })

  it.each([
    ['orthogonal (QR: the reference kernel)', { initializer: 'orthogonal', shape: [37, 23], dtype: 'float32', params: { gain: 1.5 } }],
    ['float64 normal (not an MLX dtype)', { initializer: 'normal', shape: [33, 7], dtype: 'float64', params: { mean: 1, std: 2 } }],
    ['int32 constant', { initializer: 'constant', shape: [5, 7], dtype: 'int32', params: { value: -123456789 } }],
    ['bool identity', { initializer: 'identity', shape: [9, 9], dtype: 'bool' }],
    ['keras.TruncatedNormal (inverse CDF)', { initializer: 'keras.TruncatedNormal', shape: [40, 30], dtype: 'bfloat16' }],
    ['torch.kaiming_uniform_', { initializer: 'torch.kaiming_uniform_', shape: [16, 8, 3], dtype: 'float16' }],
    ['torch.sparse_', { initializer: 'torch.sparse_', shape: [30, 12], dtype: 'float32', params: { sparsity: 0.3 } }],
    ['jax.delta_orthogonal', { initializer: 'jax.delta_orthogonal', shape: [3, 3, 4, 6], dtype: 'float32' }]
  ])('runs %s through the reference kernels, byte-identical with them', async (_name, spec) => {
    const p = plan({ ...spec, seed: '99' })
    const n = elementCount(p.shape)
    await expectReferenceBytes(engine, p, { start: 0, end: n })
    await expectReferenceBytes(engine, p, { start: Math.floor(n / 3), end: n - 1 })
  })

  it('stops when the signal aborts, with the signal\'s reason', async () => {
    // 16 Mi float32 elements in range tasks: far more work than the window holds.
    const p = plan({ initializer: 'normal', shape: [4096, 4096], dtype: 'float32', seed: '3' })
    const controller = new AbortController()
    let chunks = 0
    const consume = async (): Promise<void> => {
      for await (const chunk of engine.stream(p, { start: 0, end: 1 << 24 }, { signal: controller.signal })) {
        expect(chunk.length).toBeGreaterThan(0)
        if (++chunks === 2) controller.abort(new Error('client went away'))
      }
    }
    await expect(consume()).rejects.toThrow('client went away')
    expect(chunks).toBe(2)
    // The engine still serves the next stream.
    await expectReferenceBytes(engine, plan({ initializer: 'he_uniform', shape: [10, 10], dtype: 'float32', seed: '4' }), { start: 0, end: 100 })
  })

  it('refuses new work as overloaded when maxQueue chunks already wait for the worker', async () => {
    const busy = await createMlxEngine({ maxQueue: 1 })
    onTestFinished(async () => { await busy.close() })
    const big = plan({ initializer: 'normal', shape: [2 ** 24], dtype: 'float32', seed: '2' })
    // The first stream fills its window: one task running, one waiting.
    const first = busy.stream(big, { start: 0, end: 2 ** 24 })[Symbol.asyncIterator]()
    const pending = first.next()
    await expect(collect(busy, big, { start: 0, end: 10 })).rejects.toMatchObject({ code: 'overloaded' })
    expect((await pending).done).toBe(false)
    await first.return?.()
  })

  it('close() fails the streams still running with engine-unavailable, and later ones too', async () => {
    const closing = await createMlxEngine()
    const big = plan({ initializer: 'normal', shape: [2 ** 24], dtype: 'float32', seed: '2' })
    const running = closing.stream(big, { start: 0, end: 2 ** 24 })[Symbol.asyncIterator]()
    expect((await running.next()).done).toBe(false)
    await closing.close()
    await expect(running.next()).rejects.toMatchObject({ code: 'engine-unavailable' })
    await expect(collect(closing, big, { start: 0, end: 10 })).rejects.toMatchObject({ code: 'engine-unavailable' })
    await closing.close()
  })

  it('a consumer that leaves early releases the stream; later streams still get whole answers', async () => {
    const p = plan({ initializer: 'normal', shape: [1024, 1024], dtype: 'bfloat16', seed: '8' })
    const iterator = engine.stream(p, { start: 0, end: 1 << 20 })[Symbol.asyncIterator]()
    expect((await iterator.next()).done).toBe(false)
    await iterator.return?.()
    await expectReferenceBytes(engine, p, { start: 1000, end: 200_000 })
  })
})

describeOracle('mlx engine lifecycle', () => {
  it('removes its exchange directory on close', async () => {
    const parent = tmpdir()
    const before = new Set(readdirSync(parent).filter((name) => name.startsWith('tensor-init-mlx-')))
    const own = await createMlxEngine({ exchangeParent: parent })
    const created = readdirSync(parent).filter((name) => name.startsWith('tensor-init-mlx-') && !before.has(name))
    expect(created).toHaveLength(1)
    await collect(own, plan({ initializer: 'normal', shape: [5], dtype: 'float32', seed: '1' }), { start: 0, end: 5 })
    await own.close()
    expect(existsSync(`${parent}/${created[0]!}`)).toBe(false)
  })
})
