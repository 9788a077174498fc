import { buildPlan } from '../src/initializers/build-plan.ts'
import { type DType, itemSize } from '../src/core/dtype.ts'
import { elementCount } from '../src/core/plan.ts'
import type { Profile } from '../src/core/profile.ts'
import type { EngineInfo } from '../src/engines/engine-info.ts'
import { createMlxEngine, type MlxEngineOptions } from '../src/engines/mlx/mlx-engine.ts'

/**
 * Elements per second of the mlx engine drained in-process (no HTTP), for the bench's `mlx` row
 * and for recording the Metal figure on a Mac (docs/mac-hosts.md). Each workload is one tensor
 * of `elements` elements streamed from start to end; a 1 Mi-element tensor of the same kind runs
 * first so the worker has loaded MLX and grown its heap.
 */

export interface ThroughputWorkload {
  name: string
  initializer: string
  dtype: DType
  elements: number
  profile?: Profile
  seed?: number
}

export interface ThroughputResult {
  engine: EngineInfo
  /** Per workload name. */
  elementsPerSecond: Record<string, number>
}

async function drain (chunks: AsyncIterable<Uint8Array>): Promise<number> {
  let bytes = 0
  for await (const chunk of chunks) bytes += chunk.byteLength
  return bytes
}

export async function measureMlxEngine (workloads: readonly ThroughputWorkload[], options: MlxEngineOptions = {}): Promise<ThroughputResult> {
  const engine = await createMlxEngine(options)
  try {
    const elementsPerSecond: Record<string, number> = {}
    for (const w of workloads) {
      const spec = { initializer: w.initializer, dtype: w.dtype, seed: w.seed ?? 42, ...(w.profile === undefined ? {} : { profile: w.profile }) }
      const warm = buildPlan({ ...spec, shape: [2 ** 20], seed: 1 }, 'json')
      await drain(engine.stream(warm, { start: 0, end: 2 ** 20 }))
      const plan = buildPlan({ ...spec, shape: [w.elements] }, 'json')
      const t0 = process.hrtime.bigint()
      const bytes = await drain(engine.stream(plan, { start: 0, end: elementCount(plan.shape) }))
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9
      if (bytes !== w.elements * itemSize(w.dtype)) throw new Error(`${w.name}: streamed ${bytes} bytes, expected ${w.elements * itemSize(w.dtype)}`)
      elementsPerSecond[w.name] = w.elements / seconds
    }
    return { engine: engine.info, elementsPerSecond }
  } finally {
    await engine.close()
  }
}
