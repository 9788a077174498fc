import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChunkRecycler } from '../../../src/engines/chunk-recycler.ts'
import { chunkLength } from '../../../src/engines/cpu/chunking.ts'
import { type CpuEngine, createCpuEngine } from '../../../src/engines/cpu/cpu-engine.ts'
import { executeRange } from '../../../src/engines/reference/index.ts'
import { isTensorInitError } from '../../../src/core/errors.ts'
import { EngineOptionError } from '../../../src/engines/toolkit/options.ts'
import { buildPlan } from '../../../src/initializers/build-plan.ts'
import { type TensorRequest } from '../../../src/initializers/tensor-request.ts'
import { elementCount, type Plan } from '../../../src/core/plan.ts'
import { samplerPlan } from './wasm/plans.ts'

/**
 * The cpu engine with real worker threads: bytes, order and chunking; the in-flight window and
 * backpressure; aborts; errors. Fairness between streams has its own file.
 */

const CHUNK = 64 * 1024

function plan (spec: Omit<TensorRequest, 'initializer'> & { initializer: string }): Plan {
  return buildPlan(spec, 'json')
}

async function collect (chunks: AsyncIterable<Uint8Array>): Promise<{ bytes: Buffer, sizes: number[] }> {
  const parts: Uint8Array[] = []
  for await (const c of chunks) parts.push(c)
  return { bytes: Buffer.concat(parts), sizes: parts.map((p) => p.byteLength) }
}

/** Lets worker messages and scheduler callbacks run until the engine has nothing running. */
async function settle (engine: CpuEngine): Promise<void> {
  for (let i = 0; i < 1000 && engine.load.running > 0; i++) await new Promise((resolve) => setTimeout(resolve, 5))
  await new Promise((resolve) => setImmediate(resolve))
}

let engine: CpuEngine

beforeAll(() => {
  engine = createCpuEngine({ threads: 2, chunkBytes: CHUNK, window: 3 })
})

afterAll(async () => {
  await engine.close()
})

describe('cpu engine output', () => {
  const plans: Array<[string, Plan]> = [
    ['he_normal bfloat16', plan({ initializer: 'he_normal', shape: [300, 1001], dtype: 'bfloat16', seed: 7 })],
    ['normal float32 (0.13, loc/scale)', plan({ initializer: 'normal', shape: [77_777], params: { mean: 0.5, std: 0.02 }, seed: '18446744073709551615', profile: 'mlx-0.13' })],
    ['uniform float16 (0.13)', plan({ initializer: 'uniform', shape: [65_537], dtype: 'float16', seed: 3, profile: 'mlx-0.13' })],
    ['glorot_uniform float32', plan({ initializer: 'glorot_uniform', shape: [128, 513], seed: 9, draw: 4 })],
    ['truncated normal float16 (0.32)', samplerPlan({ kind: 'mlx-truncated-normal', lower: -2, upper: 2 }, 'mlx-0.32', 'float16', [40_001], [5, 6])],
    ['sparse float32', plan({ initializer: 'sparse', shape: [97, 1000], params: { sparsity: 0.3 }, seed: 1 })],
    ['orthogonal float32', plan({ initializer: 'orthogonal', shape: [200, 120], seed: 3 })],
    ['normal float64 (reference only)', plan({ initializer: 'normal', shape: [30_000], dtype: 'float64', seed: 3 })],
    ['identity int32', plan({ initializer: 'identity', shape: [181, 181], dtype: 'int32' })],
    ['constant int8', plan({ initializer: 'constant', shape: [100_003], params: { value: 3 }, dtype: 'int8' })]
  ]

  for (const [name, p] of plans) {
    it(`${name}: the reference bytes, in chunks of at most chunkBytes (whole rows for sparse)`, async () => {
      const n = elementCount(p.shape)
      const { bytes, sizes } = await collect(engine.stream(p, { start: 0, end: n }))
      expect(bytes.equals(executeRange(p, 0, n))).toBe(true)
      for (const s of sizes) expect(s).toBeLessThanOrEqual(p.recipe.kind === 'sparse' ? CHUNK + 4000 : CHUNK)
      if (p.recipe.kind === 'sparse') for (const s of sizes.slice(0, -1)) expect(s % (p.shape[1]! * 4)).toBe(0)
      // a sub-range, as a Range request asks for it
      const start = Math.floor(n / 7) + 1
      const end = n - Math.floor(n / 5)
      const part = await collect(engine.stream(p, { start, end }))
      expect(part.bytes.equals(executeRange(p, start, end))).toBe(true)
    })
  }

  it('yields nothing for an empty range', async () => {
    const p = plan({ initializer: 'normal', shape: [10], seed: 1 })
    expect((await collect(engine.stream(p, { start: 4, end: 4 }))).sizes).toEqual([])
  })

  it('rejects a range outside the tensor before any work', () => {
    const p = plan({ initializer: 'normal', shape: [10], seed: 1 })
    expect(() => engine.stream(p, { start: 0, end: 11 })).toThrow(RangeError)
    expect(() => engine.stream(p, { start: 5, end: 4 })).toThrow(RangeError)
  })

  it('reports a kernel\'s TensorInitError with its code', async () => {
    // The sparse kernel checks the rank itself, inside the worker (the plan builder never makes this plan).
    const p = samplerPlan({ kind: 'sparse', sparsity: 0.5, loc: 0, scale: 1 }, 'mlx-0.32', 'float32', [5000], [1, 2])
    const err = await collect(engine.stream(p, { start: 0, end: 5000 })).catch((e: unknown) => e)
    expect(isTensorInitError(err) && err.code).toBe('invalid-rank')
  })

  it('describes itself', () => {
    expect(engine.info).toMatchObject({ name: 'cpu', device: 'cpu', concurrency: 2 })
    expect(engine.info.details).toMatchObject({ threads: 2, kernels: 'wasm-simd', chunkBytes: CHUNK, window: 3 })
    expect(engine.exactness(plan({ initializer: 'normal', shape: [10], seed: 1 }))).toEqual({ class: 'exact' })
  })
})

describe('buffer reuse (ChunkRecycler)', () => {
  const big = samplerPlan({ kind: 'normal' }, 'mlx-0.32', 'bfloat16', [40 * CHUNK / 2 + 5], [4, 4])
  const total = elementCount(big.shape)

  it('gives the same bytes to a consumer that copies each chunk and releases it at once', async () => {
    const recycler = new ChunkRecycler()
    const before = engine.load.reused
    const copies: Buffer[] = []
    for await (const chunk of engine.stream(big, { start: 3, end: total }, { recycler })) {
      copies.push(Buffer.from(chunk))
      recycler.release(chunk)
    }
    expect(Buffer.concat(copies).equals(executeRange(big, 3, total))).toBe(true)
    // nearly every chunk after the first window was computed into a released buffer
    expect(recycler.reused).toBeGreaterThan(copies.length / 2)
    expect(engine.load.reused - before).toBe(recycler.reused)
  })

  it('never touches a chunk the consumer has not released', async () => {
    const recycler = new ChunkRecycler()
    const held: Uint8Array[] = []
    let index = 0
    for await (const chunk of engine.stream(big, { start: 0, end: total }, { recycler })) {
      // keep every third chunk, release the others right away
      if (index++ % 3 === 0) held.push(chunk)
      else recycler.release(chunk)
    }
    expect(recycler.reused).toBeGreaterThan(0)
    const length = chunkLength(big, CHUNK, { start: 0, end: total })
    for (const [k, chunk] of held.entries()) {
      const start = 3 * k * length
      expect(Buffer.from(chunk).equals(executeRange(big, start, Math.min(total, start + length))), `held chunk ${k}`).toBe(true)
    }
  })

  it('ignores releases of memory it did not lend, and of a chunk twice', async () => {
    const recycler = new ChunkRecycler()
    recycler.release(new Uint8Array(CHUNK))
    expect(recycler.free).toBe(0)
    const chunks: Uint8Array[] = []
    for await (const chunk of engine.stream(big, { start: 0, end: 4 * CHUNK / 2 }, { recycler })) chunks.push(chunk)
    recycler.release(chunks[0]!)
    recycler.release(chunks[0]!)
    // a view of a lent buffer releases the whole buffer once
    recycler.release(chunks[1]!.subarray(10, 20))
    recycler.release(chunks[1]!)
    expect(recycler.free).toBe(2)
  })

  it('leaves every chunk to the consumer without a recycler', async () => {
    const held: Uint8Array[] = []
    for await (const chunk of engine.stream(big, { start: 0, end: total })) held.push(chunk)
    expect(held.every((c) => c.byteLength > 0)).toBe(true)
    expect(Buffer.concat(held).equals(executeRange(big, 0, total))).toBe(true)
  })
})

describe('tiny float32 ranges', () => {
  it('are computed on the calling thread, without a worker round trip', async () => {
    const before = engine.load.started
    for (const [recipe, n] of [
      [{ kind: 'normal' as const }, 64],
      [{ kind: 'uniform' as const, low: -1, high: 2 }, 16 * 1024],
      [{ kind: 'mlx-truncated-normal' as const, lower: -2, upper: 2 }, 1000]
    ] as const) {
      const p = samplerPlan(recipe, 'mlx-0.32', 'float32', [100_000], [9, 9])
      const { bytes } = await collect(engine.stream(p, { start: 500, end: 500 + n }))
      expect(bytes.equals(executeRange(p, 500, 500 + n))).toBe(true)
    }
    expect(engine.load.started).toBe(before)
    expect(engine.info.details).toMatchObject({ inlineMaxBytes: 64 * 1024 })
  })

  it('leave half dtypes and larger ranges to the workers', async () => {
    const before = engine.load.started
    const half = samplerPlan({ kind: 'normal' }, 'mlx-0.32', 'bfloat16', [64], [9, 9])
    await collect(engine.stream(half, { start: 0, end: 64 }))
    const larger = samplerPlan({ kind: 'normal' }, 'mlx-0.32', 'float32', [16 * 1024 + 8], [9, 9])
    await collect(engine.stream(larger, { start: 0, end: 16 * 1024 + 8 }))
    // one chunk for the half dtype, two (64 KiB + 32 bytes) for the larger float32 range
    expect(engine.load.started - before).toBe(3)
  })

  it('are offered synchronously by computeNow, which declines what the workers do', () => {
    const p = samplerPlan({ kind: 'normal' }, 'mlx-0.13', 'float32', [100_000], [3, 4])
    expect(Buffer.from(engine.computeNow(p, { start: 7, end: 7 + 64 })!).equals(executeRange(p, 7, 71))).toBe(true)
    expect(engine.computeNow(p, { start: 0, end: 16 * 1024 + 8 })).toBeUndefined()
    expect(engine.computeNow(samplerPlan({ kind: 'normal' }, 'mlx-0.13', 'bfloat16', [64], [3, 4]), { start: 0, end: 64 })).toBeUndefined()
    expect(() => engine.computeNow(p, { start: 99_990, end: 100_001 })).toThrow(RangeError)
  })
})

describe('cpu engine flow control', () => {
  const big = plan({ initializer: 'normal', shape: [100 * CHUNK / 4], seed: 11 })
  const total = elementCount(big.shape)

  it('computes no more than the window ahead of the consumer', async () => {
    const before = engine.load.started
    const it = engine.stream(big, { start: 0, end: total })[Symbol.asyncIterator]()
    const first = await it.next()
    const second = await it.next()
    expect(first.done === false && second.done === false).toBe(true)
    await settle(engine)
    // Two chunks pulled; at most `window` (3) more were handed to workers, then it stopped.
    expect(engine.load.started - before).toBeLessThanOrEqual(2 + 3)
    expect(engine.load.queued).toBe(0)
    await it.return?.()
    await settle(engine)
    expect(engine.load.started - before).toBeLessThanOrEqual(2 + 3)
  })

  it('cancels queued chunks when the consumer stops early', async () => {
    const before = engine.load.started
    let pulled = 0
    for await (const chunk of engine.stream(big, { start: 0, end: total })) {
      expect(chunk.byteLength).toBe(CHUNK)
      if (++pulled === 5) break
    }
    expect(engine.load.queued).toBe(0)
    await settle(engine)
    expect(engine.load.started - before).toBeLessThanOrEqual(5 + 3)
  })

  it('aborts a stream that is waiting for a chunk, and stays usable', async () => {
    const controller = new AbortController()
    const before = engine.load.started
    const it = engine.stream(big, { start: 0, end: total }, { signal: controller.signal })[Symbol.asyncIterator]()
    await it.next()
    const pending = it.next()
    controller.abort()
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' })
    expect(engine.load.queued).toBe(0)
    await settle(engine)
    expect(engine.load.started - before).toBeLessThan(100)
    const again = plan({ initializer: 'uniform', shape: [1000], seed: 2 })
    expect((await collect(engine.stream(again, { start: 0, end: 1000 }))).bytes.equals(executeRange(again, 0, 1000))).toBe(true)
  })

  it('refuses to start with an already aborted signal', async () => {
    const controller = new AbortController()
    controller.abort()
    const before = engine.load.started
    await expect(collect(engine.stream(big, { start: 0, end: total }, { signal: controller.signal }))).rejects.toMatchObject({ name: 'AbortError' })
    expect(engine.load.started).toBe(before)
  })
})

describe('cpu engine configuration', () => {
  it('validates its options, failing with a start-up error (not a request error) that names the option', () => {
    for (const [bad, name] of [[{ threads: 0 }, 'threads'], [{ chunkBytes: -1 }, 'chunkBytes'], [{ window: 1.5 }, 'window'], [{ maxQueue: 0 }, 'maxQueue']] as const) {
      let err: unknown
      try {
        createCpuEngine(bad)
      } catch (e) {
        err = e
      }
      expect(err).toBeInstanceOf(EngineOptionError)
      expect(isTensorInitError(err)).toBe(false)
      expect((err as Error).message).toContain(`cpu engine: ${name} must be a positive integer`)
    }
  })

  it('falls back to the reference kernels, with one warning, when the wasm kernels cannot load', async () => {
    const warnings: string[] = []
    const fallback = createCpuEngine({ threads: 1, wasmFile: '/nonexistent/kernels.wasm', onWarning: (m) => warnings.push(m) })
    try {
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toMatch(/WebAssembly SIMD kernels unavailable/)
      expect(fallback.info.details).toMatchObject({ kernels: 'reference' })
      const p = plan({ initializer: 'normal', shape: [5000], dtype: 'bfloat16', seed: 4 })
      expect((await collect(fallback.stream(p, { start: 0, end: 5000 }))).bytes.equals(executeRange(p, 0, 5000))).toBe(true)
    } finally {
      await fallback.close()
    }
  })

  it('fails the streams still running when it closes', async () => {
    const closing = createCpuEngine({ threads: 1, window: 4, chunkBytes: 16 * 1024 })
    const p = plan({ initializer: 'normal', shape: [1 << 20], dtype: 'bfloat16', seed: 1 })
    const it = closing.stream(p, { start: 0, end: 1 << 20 })[Symbol.asyncIterator]()
    await it.next()
    await closing.close()
    const err = await (async () => {
      for (;;) {
        const r = await it.next()
        if (r.done === true) return undefined
      }
    })().catch((e: unknown) => e)
    expect(isTensorInitError(err) && err.code).toBe('engine-unavailable')
  })

  it('refuses new streams once closed', async () => {
    const closing = createCpuEngine({ threads: 1, kernels: 'reference' })
    expect(closing.info.details).toMatchObject({ kernels: 'reference' })
    await closing.close()
    const err = (() => {
      try {
        closing.stream(plan({ initializer: 'normal', shape: [10], seed: 1 }), { start: 0, end: 10 })
      } catch (e) {
        return e
      }
    })()
    expect(isTensorInitError(err) && err.code).toBe('engine-unavailable')
  })
})
