import { afterAll, expect, it } from 'vitest'
import { executeRange } from '../../src/engines/reference/index.ts'
import type { Recipe } from '../../src/core/recipe.ts'
import { makePlan, mlxFans } from '../engines/reference/plans.ts'
import { countComparisons, describeOracle, mlx, mlxDType, type MxArray, oracleComparisons, pullBits } from '../support/mlx-oracle.ts'
import { expectSameBits } from './compare.ts'
import { compareWithMlx, DTYPES, jsSeeds, type KeyMode, mlxKeys, planKeys } from './oracle-cases.ts'
import { TestRng } from './prng.ts'

/**
 * node-mlx's nn.init (dist/nn/init.js, MLX 0.13's initializers with camelCase names) applied to
 * mx.zeros(shape) after mx.random.seed(seed) and `draw` other calls, against executeRange of the
 * recipe each initializer reduces to (spec b.14): std / limit computed in double exactly as the
 * initializer does, then handed to the sampler, which applies double -> float32 -> dtype.
 */

type Init = 'constant' | 'normal' | 'uniform' | 'identity' | 'glorotNormal' | 'glorotUniform' | 'heNormal' | 'heUniform'

const SHAPES = [[2, 3], [5, 5], [64, 33, 3], [16, 8, 3, 3], [1000, 10], [7, 1], [3, 1, 1, 5]]

/** The recipe MLX's initializer reduces to, and the call that runs it on zeros(shape). */
function plan (init: Init, shape: number[], dtype: typeof DTYPES[number], rng: TestRng): { recipe: Recipe, run: (a: MxArray) => MxArray, shape: number[] } {
  const nn = mlx().nn.init
  const D = mlxDType(dtype)
  switch (init) {
    case 'constant': {
      const value = rng.pick([0.1, -2.5, 1 / 3, 65520, 1e-8])
      return { recipe: { kind: 'constant', value }, run: nn.constant!(value, D), shape }
    }
    case 'normal': {
      const [mean, std] = rng.pick([[0, 1], [0.5, 0.02], [-1, 0.3], [0, 1 / 7]])
      return { recipe: { kind: 'normal', loc: mean!, scale: std! }, run: nn.normal!(mean, std, D), shape }
    }
    case 'uniform': {
      const [low, high] = rng.pick([[0, 1], [-0.3, 0.7], [-1 / 3, 1 / 3]])
      return { recipe: { kind: 'uniform', low: low!, high: high! }, run: nn.uniform!(low, high, D), shape }
    }
    case 'identity': {
      const n = shape[0]!
      return { recipe: { kind: 'eye', value: 1 }, run: nn.identity!(D), shape: [n, n] }
    }
    default:
      break
  }
  const { fanIn, fanOut } = mlxFans(shape)
  const gain = rng.pick([1, 2.5, 0.7, Math.SQRT2, 3])
  if (init === 'glorotNormal') {
    const std = gain * Math.sqrt(2.0 / (fanIn + fanOut))
    return { recipe: { kind: 'normal', scale: std }, run: (a) => nn.glorotNormal!(D)(a, gain), shape }
  }
  if (init === 'glorotUniform') {
    const limit = gain * Math.sqrt(6.0 / (fanIn + fanOut))
    return { recipe: { kind: 'uniform', low: -limit, high: limit }, run: (a) => nn.glorotUniform!(D)(a, gain), shape }
  }
  const mode = rng.pick(['fanIn', 'fanOut'])
  const fan = mode === 'fanIn' ? fanIn : fanOut
  if (init === 'heNormal') {
    const std = gain / Math.sqrt(fan)
    return { recipe: { kind: 'normal', scale: std }, run: (a) => nn.heNormal!(D)(a, mode, gain), shape }
  }
  const limit = gain * Math.sqrt(3.0 / fan)
  return { recipe: { kind: 'uniform', low: -limit, high: limit }, run: (a) => nn.heUniform!(D)(a, mode, gain), shape }
}

describeOracle('MLX nn.init (node-mlx 0.0.7) vs executeRange, profile mlx-0.13', () => {
  afterAll(() => {
    console.log(`[mlx-oracle-nn-init] elements compared bit for bit against MLX: ${oracleComparisons()}`)
  })

  const inits: Init[] = ['constant', 'normal', 'uniform', 'identity', 'glorotNormal', 'glorotUniform', 'heNormal', 'heUniform']

  it.each(inits)('%s over seeds, draws, shapes, dtypes, gains and modes', (init) => {
    const mx = mlx().core
    const rng = new TestRng(0x1417 + inits.indexOf(init))
    const seeds = jsSeeds(rng)
    for (let i = 0; i < 24; i++) {
      const dtype = DTYPES[i % 3]!
      const p = plan(init, rng.pick(SHAPES), dtype, rng)
      const mode: KeyMode = { kind: 'seed', seed: rng.pick(seeds), draw: rng.pick([0, 1, 3]) }
      mlxKeys(mode)
      const got = p.run(mx.zeros(p.shape))
      expect(got.dtype).toBe(mlxDType(dtype))
      compareWithMlx(got, p.recipe, p.shape, dtype, 'mlx-0.13', init === 'constant' || init === 'identity' ? [] : planKeys(mode), rng, `${init} ${dtype} [${p.shape}] seed ${mode.seed} draw ${mode.draw}`)
    }
  })

  it('initializers consume one key each, in order', () => {
    const mx = mlx().core
    const rng = new TestRng(0x1418)
    const nn = mlx().nn.init
    mx.random.seed(99)
    const a = nn.heNormal!(mx.float32)(mx.zeros([8, 4]))
    const b = nn.glorotUniform!(mx.bfloat16)(mx.zeros([4, 8]))
    const c = nn.normal!(0, 0.02, mx.float16)(mx.zeros([3, 3]))
    const keys = planKeys({ kind: 'seed', seed: 99, draw: 0 }, 3)
    compareWithMlx(a, { kind: 'normal', scale: 1 / Math.sqrt(4) }, [8, 4], 'float32', 'mlx-0.13', [keys[0]!], rng, 'heNormal first')
    compareWithMlx(b, { kind: 'uniform', low: -Math.sqrt(6 / 12), high: Math.sqrt(6 / 12) }, [4, 8], 'bfloat16', 'mlx-0.13', [keys[1]!], rng, 'glorotUniform second')
    compareWithMlx(c, { kind: 'normal', loc: 0, scale: 0.02 }, [3, 3], 'float16', 'mlx-0.13', [keys[2]!], rng, 'normal third')
  })

  it('eye kernel equals mx.eye for rectangular shapes', () => {
    const mx = mlx().core
    for (const [r, c] of [[3, 5], [6, 2], [1, 1], [40, 33]] as const) {
      const want = pullBits(mx.eye(r, c, 0, mx.float32))
      const got = executeRange(makePlan({ kind: 'eye', value: 1 }, [r, c], 'float32', 'mlx-0.13', []), 0, r * c)
      expectSameBits(new Uint32Array(got.buffer), want, `eye ${r}x${c}`)
      countComparisons(r * c)
    }
  })
})
