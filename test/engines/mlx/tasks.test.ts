import { describe, expect, it } from 'vitest'
import { planTasks, type MlxTask, type TaskOptions } from '../../../src/engines/mlx/tasks.ts'
import { buildPlan } from '../../../src/initializers/build-plan.ts'
import { type TensorRequest } from '../../../src/initializers/tensor-request.ts'

const plan = (spec: TensorRequest) => buildPlan(spec, 'json')
const options: TaskOptions = { chunkBytes: 4000, wholeBytes: 40_000 }
const summary = (tasks: Iterable<MlxTask>) => [...tasks].map(({ mode, start, end }) => [mode, start, end])

describe('planTasks', () => {
  const normal = plan({ initializer: 'normal', shape: [100, 100], dtype: 'float32', seed: '1' })

  it('computes a small tensor whole when the range is at least half of it', () => {
    expect(summary(planTasks(normal, { start: 0, end: 10_000 }, options))).toEqual([['whole', 0, 10_000]])
    expect(summary(planTasks(normal, { start: 3000, end: 8000 }, options))).toEqual([['whole', 3000, 8000]])
  })

  it('computes a smaller range of it on its own, in chunks on multiples of the chunk size', () => {
    expect(summary(planTasks(normal, { start: 2500, end: 4999 }, options))).toEqual([
      ['range', 2500, 3000], ['range', 3000, 4000], ['range', 4000, 4999]
    ])
  })

  it('cuts tensors above wholeBytes into range chunks', () => {
    const big = plan({ initializer: 'normal', shape: [101, 100], dtype: 'float32', seed: '1' })
    const tasks = [...planTasks(big, { start: 0, end: 10_100 }, options)]
    expect(tasks.every((t) => t.mode === 'range')).toBe(true)
    expect(tasks).toHaveLength(11)
    expect(tasks.map((t) => t.end - t.start).slice(0, 10)).toEqual(Array(10).fill(1000))
  })

  it('never takes the whole-tensor path for constants and eyes: their elements need nothing else', () => {
    const eye = plan({ initializer: 'identity', shape: [10, 10], dtype: 'float16', seed: '1' })
    expect(summary(planTasks(eye, { start: 0, end: 100 }, options))).toEqual([['range', 0, 100]])
  })

  it('cuts sparse tensors on row boundaries, a row at least', () => {
    const sparse = plan({ initializer: 'sparse', shape: [30, 700], dtype: 'float32', seed: '1', params: { sparsity: 0.5 } })
    expect(summary(planTasks(sparse, { start: 650, end: 3000 }, { chunkBytes: 4000, wholeBytes: 1 }))).toEqual([
      ['range', 650, 700], ['range', 700, 1400], ['range', 1400, 2100], ['range', 2100, 2800], ['range', 2800, 3000]
    ])
  })

  it('sends plans MLX does not run to the reference kernels', () => {
    const f64 = plan({ initializer: 'normal', shape: [10, 10], dtype: 'float64', seed: '1' })
    expect(summary(planTasks(f64, { start: 0, end: 100 }, options))).toEqual([['reference', 0, 100]])
    const ortho = plan({ initializer: 'orthogonal', shape: [40, 40], dtype: 'float32', seed: '1' })
    expect(summary(planTasks(ortho, { start: 0, end: 1600 }, options))).toEqual([['reference', 0, 1000], ['reference', 1000, 1600]])
  })

  it('plans nothing for an empty range', () => {
    expect(summary(planTasks(normal, { start: 7, end: 7 }, options))).toEqual([])
  })
})
