import { Piscina } from 'piscina'
import { afterAll, describe, expect, it } from 'vitest'
import { workerEntry } from '../../../src/engines/toolkit/worker-entry.ts'
import { type WorkerResult, unwrapWorkerResult } from '../../../src/engines/cpu/worker-result.ts'
import { executeRange } from '../../../src/engines/reference/index.ts'
import { isTensorInitError } from '../../../src/core/errors.ts'
import type { Plan } from '../../../src/core/plan.ts'
import type { CpuWorkerData } from '../../../src/engines/cpu/cpu-worker.ts'
import { samplerPlan } from './wasm/plans.ts'

/** The cpu worker entry in real worker threads, loaded the way the engine loads it. */

const entry = workerEntry('cpu-worker', new URL('../../../src/engines/cpu/cpu-engine.ts', import.meta.url).href)
const pools: Piscina[] = []

function pool (workerData: CpuWorkerData): Piscina<{ plan: Plan, start: number, end: number }, WorkerResult> {
  const p = new Piscina({ filename: entry.filename, execArgv: entry.execArgv, workerData, minThreads: 1, maxThreads: 1 })
  pools.push(p)
  return p
}

afterAll(async () => {
  await Promise.all(pools.map(async (p) => p.destroy()))
})

describe('cpu worker', () => {
  const plan = samplerPlan({ kind: 'normal', scale: 0.1 }, 'mlx-0.32', 'bfloat16', [100_001], [3, 4])

  for (const kernels of ['auto', 'reference'] as const) {
    it(`returns the chunk's bytes as a Uint8Array of exactly its size (kernels: ${kernels})`, async () => {
      const result = await pool({ kernels }).run({ plan, start: 17, end: 60_017 })
      expect(result).toBeInstanceOf(Uint8Array)
      const bytes = result as Uint8Array
      expect(bytes.byteOffset).toBe(0)
      expect(bytes.buffer.byteLength).toBe(120_000)
      expect(Buffer.from(bytes).equals(executeRange(plan, 17, 60_017))).toBe(true)
    })
  }

  it('sends a kernel\'s TensorInitError back as data, rebuilt with its code', async () => {
    const bad = samplerPlan({ kind: 'sparse', sparsity: 0.5, loc: 0, scale: 1 }, 'mlx-0.32', 'float32', [50], [1, 2])
    const result = await pool({ kernels: 'auto' }).run({ plan: bad, start: 0, end: 50 })
    expect(result).not.toBeInstanceOf(Uint8Array)
    let err: unknown
    try {
      unwrapWorkerResult(result)
    } catch (e) {
      err = e
    }
    expect(isTensorInitError(err) && err.code).toBe('invalid-rank')
  })

  it('rejects with other errors as they are', async () => {
    const unknown = { ...plan, recipe: { kind: 'no-such-kind' } } as unknown as Plan
    await expect(pool({ kernels: 'auto' }).run({ plan: unknown, start: 0, end: 5 })).rejects.toThrow(/no reference kernel/)
  })
})

describe('workerEntry', () => {
  it('runs the TypeScript entry through tsx from the sources, the JavaScript one from the build', () => {
    expect(workerEntry('cpu-worker', 'file:///app/src/engines/cpu/cpu-engine.ts')).toEqual({
      filename: '/app/src/engines/cpu/cpu-worker.ts', execArgv: ['--import', 'tsx']
    })
    expect(workerEntry('cpu-worker', 'file:///app/dist/engines/cpu/cpu-engine.js')).toEqual({
      filename: '/app/dist/engines/cpu/cpu-worker.js', execArgv: []
    })
  })
})
