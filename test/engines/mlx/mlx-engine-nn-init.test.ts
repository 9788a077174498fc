import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Engine } from '../../../src/engines/engine.ts'
import { createMlxEngine } from '../../../src/engines/mlx/mlx-engine.ts'
import { HALF_AND_SINGLE } from '../../../src/core/dtype.ts'
import { elementCount } from '../../../src/core/plan.ts'
import { countComparisons, describeOracle, mlx, mlxDType, type MxArray, pullBytes } from '../../support/mlx-oracle.ts'
import { collect, plan } from './support.ts'

/**
 * The mlx engine against node-mlx's own nn.init, the way a user of the bindings initializes a
 * weight: mx.random.seed(seed), then one initializer call on a zeros array of the shape. Profile
 * mlx-0.13 is defined as exactly this (design §1), so the bytes must be equal, element for element.
 */

let whole: Engine
let ranged: Engine

type Call = (init: ReturnType<typeof mlx>['nn']['init'], dtype: unknown, a: MxArray) => MxArray

const CASES: Array<{ name: string, initializer: string, params?: Record<string, unknown>, shape: number[], call: Call }> = [
  { name: 'constant(0.1)', initializer: 'constant', params: { value: 0.1 }, shape: [5, 7], call: (i, d, a) => i.constant(0.1, d)(a) },
  { name: 'normal()', initializer: 'normal', shape: [64, 33, 3], call: (i, d, a) => i.normal(0, 1, d)(a) },
  { name: 'normal(0.5, 0.02)', initializer: 'normal', params: { mean: 0.5, std: 0.02 }, shape: [1000, 10], call: (i, d, a) => i.normal(0.5, 0.02, d)(a) },
  { name: 'uniform(-0.3, 0.7)', initializer: 'uniform', params: { low: -0.3, high: 0.7 }, shape: [7, 1], call: (i, d, a) => i.uniform(-0.3, 0.7, d)(a) },
  { name: 'identity', initializer: 'identity', shape: [6, 6], call: (i, d, a) => i.identity(d)(a) },
  { name: 'glorotNormal(gain 2.5)', initializer: 'glorot_normal', params: { gain: 2.5 }, shape: [64, 33, 3], call: (i, d, a) => i.glorotNormal(d)(a, 2.5) },
  { name: 'glorotUniform(gain 0.7)', initializer: 'glorot_uniform', params: { gain: 0.7 }, shape: [2, 3], call: (i, d, a) => i.glorotUniform(d)(a, 0.7) },
  { name: 'heNormal(fanOut, 1.4142)', initializer: 'he_normal', params: { mode: 'fan_out', gain: 1.4142 }, shape: [16, 8, 3, 3], call: (i, d, a) => i.heNormal(d)(a, 'fanOut', 1.4142) },
  { name: 'heUniform(fanIn, 3)', initializer: 'he_uniform', params: { gain: 3 }, shape: [5, 5], call: (i, d, a) => i.heUniform(d)(a, 'fanIn', 3) }
]

const SEEDS = [0, 1, 42, 4294967303, 9007199254740991]

describeOracle('mlx engine against node-mlx nn.init', () => {
  beforeAll(async () => {
    whole = await createMlxEngine()
    ranged = await createMlxEngine({ chunkBytes: 4096, wholeBytes: 1 })
  })

  afterAll(async () => {
    await whole?.close()
    await ranged?.close()
  })

  it.each(CASES.map((c) => [c.name, c]))('%s, every MLX dtype, five seeds, both ways of computing', async (_name, c) => {
    const { core: mx, nn } = mlx()
    for (const dtype of HALF_AND_SINGLE) {
      for (const seed of SEEDS) {
        mx.random.seed(seed)
        const expected = pullBytes(c.call(nn.init, mlxDType(dtype), mx.zeros(c.shape) as MxArray)).bytes
        const p = plan({ initializer: c.initializer, shape: c.shape, dtype, seed: String(seed), profile: 'mlx-0.13', ...(c.params === undefined ? {} : { params: c.params }) })
        const n = elementCount(p.shape)
        for (const engine of [whole, ranged]) {
          const got = await collect(engine, p, { start: 0, end: n })
          expect(Buffer.compare(Buffer.from(got), Buffer.from(expected)), `${c.name} ${dtype} seed ${seed}`).toBe(0)
          countComparisons(n)
        }
      }
    }
  })
})
