import { afterAll, expect, it } from 'vitest'
import { executeRange } from '../../src/engines/reference/index.ts'
import { smallestColumns } from '../../src/engines/reference/sparse.ts'
import type { Recipe } from '../../src/core/recipe.ts'
import { ABOVE_MINUS_ONE, BELOW_ONE, roundTo } from '../../src/random/dtype-math.ts'
import { erfMlx032 } from '../../src/random/erf.ts'
import { makePlan } from '../engines/reference/plans.ts'
import { countComparisons, describeOracle, mlx, mlxDType, type MxArray, oracleComparisons, pullBits, pullNumbers, pushFloat32 } from '../support/mlx-oracle.ts'
import { expectSameBits } from './compare.ts'
import { compareWithMlx, DTYPES, describeMode, jsSeeds, type KeyMode, type MlxDTypeName, mlxKeys, planKeys, randomKeyMode, randomShape } from './oracle-cases.ts'
import { TestRng } from './prng.ts'

/**
 * Profile mlx-0.32 has no runnable binary here, so its formulas (spec b.13, MLX v0.32
 * mlx/random.cpp) are composed from real MLX 0.13 kernels, op for op: the float32 uniform words
 * path (mx.random.uniform(0, 1, float32) is exactly min(fround(bits)/2^32, 1 - 2^-24)),
 * minimum, astype, erfinv, multiply, add, argsort. Only erf has no 0.13 counterpart: the
 * truncated-normal bounds use our erfMlx032, which is checked separately against MLX v0.32's
 * simd/math.h compiled with g++ (libm.test.ts).
 */

function f32 (mx: any, x: number): MxArray {
  return mx.array(x, mx.float32)
}

/** A scalar parameter as MLX 0.32 makes it: to_array(float) is float32, then astype(dtype). */
function param (mx: any, x: number, D: unknown): MxArray {
  return f32(mx, x).astype(D)
}

/** v0.32 uniform(low, high, shape, dtype): 32-bit words for every dtype; D arrays lo/hi. */
function uniform032 (mx: any, lo: MxArray, hi: MxArray, shape: number[], dtype: MlxDTypeName, key: MxArray | undefined): MxArray {
  const D = mlxDType(dtype)
  const range = mx.subtract(hi, lo)
  const u = mx.random.uniform(0, 1, shape, mx.float32, key)
  const clamped = mx.minimum(u, f32(mx, BELOW_ONE[dtype])).astype(D)
  return mx.add(mx.multiply(range, clamped), lo)
}

/** v0.32 normal(shape, dtype, loc?, scale?): float32 uniform and erfinv, then the folded scale. */
function normal032 (mx: any, shape: number[], dtype: MlxDTypeName, loc: number | undefined, scale: number | undefined, key: MxArray | undefined): MxArray {
  const D = mlxDType(dtype)
  const x = mx.random.uniform(ABOVE_MINUS_ONE.float32, 1, shape, mx.float32, key)
  const e = mx.erfinv(x).astype(D)
  let applied = param(mx, Math.SQRT2, D)
  if (scale !== undefined) applied = mx.multiply(applied, param(mx, scale, D))
  let v = mx.multiply(applied, e)
  if (loc !== undefined) v = mx.add(param(mx, loc, D), v)
  return v
}

/** v0.32 truncated_normal: MLX ops throughout except erf (ours, see above). */
function truncated032 (mx: any, lower: number, upper: number, shape: number[], dtype: MlxDTypeName, key: MxArray | undefined): MxArray {
  const D = mlxDType(dtype)
  const s2 = param(mx, Math.SQRT2, D)
  const lt = param(mx, lower, D)
  const ut = param(mx, upper, D)
  const erfD = (x: MxArray): MxArray => {
    const arg = pullNumbers(x.astype(mx.float32))[0]!
    return param(mx, roundTo(dtype, erfMlx032(arg)), D)
  }
  const a = erfD(mx.divide(lt, s2))
  const b = erfD(mx.divide(ut, s2))
  const u = uniform032(mx, a, b, shape, dtype, key)
  const out = mx.multiply(s2, mx.erfinv(u))
  return mx.maximum(mx.minimum(ut, out), lt)
}

type Fn = 'uniform' | 'normal' | 'normal-scale' | 'normal-loc-scale' | 'truncated'

describeOracle('mlx-0.32 profile vs MLX v0.32 formulas composed from real MLX kernels', () => {
  afterAll(() => {
    console.log(`[mlx-oracle-032] elements compared bit for bit against MLX compositions: ${oracleComparisons()}`)
  })

  it('uniform, normal (none / scale / loc+scale passed) and truncated_normal over seeds, draws, shapes, dtypes', () => {
    const mx = mlx().core
    const rng = new TestRng(0x032001)
    const seeds = jsSeeds(rng)
    const fns: Fn[] = ['uniform', 'normal', 'normal-scale', 'normal-loc-scale', 'truncated']
    for (let i = 0; i < 120; i++) {
      const fn = fns[i % fns.length]!
      const dtype = DTYPES[Math.floor(i / fns.length) % 3]!
      const shape = randomShape(rng)
      const mode = randomKeyMode(rng, seeds)
      const key = mlxKeys(mode)()
      let got: MxArray
      let recipe: Recipe
      if (fn === 'uniform') {
        const [low, high] = rng.pick([[0, 1], [-3, 5], [-0.1234567, 0.1234567], [rng.float() * -2, rng.float() * 3]])
        const D = mlxDType(dtype)
        got = uniform032(mx, param(mx, low!, D), param(mx, high!, D), shape, dtype, key)
        recipe = { kind: 'uniform', low: low!, high: high! }
      } else if (fn === 'truncated') {
        const [lower, upper] = rng.pick([[-2, 2], [-1, 3], [0.5, 2.5], [-3 * rng.float(), 3 * rng.float()]])
        got = truncated032(mx, lower!, upper!, shape, dtype, key)
        recipe = { kind: 'mlx-truncated-normal', lower: lower!, upper: upper! }
      } else {
        // scale values that are not powers of two make the folded sqrt2*scale rounding visible
        const scale = fn === 'normal' ? undefined : rng.pick([0.02, 1 / 3, 1, 0.7071, rng.float() * 2])
        const loc = fn === 'normal-loc-scale' ? rng.pick([0, 0.5, -1.25, rng.float() - 0.5]) : undefined
        got = normal032(mx, shape, dtype, loc, scale, key)
        recipe = { kind: 'normal', ...(loc === undefined ? {} : { loc }), ...(scale === undefined ? {} : { scale }) }
      }
      compareWithMlx(got, recipe, shape, dtype, 'mlx-0.32', planKeys(mode), rng, `0.32 ${fn} ${dtype} [${shape}] ${describeMode(mode)}`)
    }
  })

  it('large draws (> 2^20 elements)', () => {
    const mx = mlx().core
    const rng = new TestRng(0x032002)
    const mode: KeyMode = { kind: 'seed', seed: 2 ** 45 + 11, draw: 1 }
    compareWithMlx(normal032(mx, [1 << 20, 3], 'bfloat16', undefined, 0.05, mlxKeys(mode)()), { kind: 'normal', scale: 0.05 }, [1 << 20, 3], 'bfloat16', 'mlx-0.32', planKeys(mode), rng, '0.32 big bf16 normal')
    const D = mx.float16
    compareWithMlx(uniform032(mx, param(mx, -0.2, D), param(mx, 0.2, D), [1100000], 'float16', mlxKeys(mode)()), { kind: 'uniform', low: -0.2, high: 0.2 }, [1100000], 'float16', 'mlx-0.32', planKeys(mode), rng, '0.32 big f16 uniform')
  })

  it('MLX argsort along rows is stable (ties by column), as smallestColumns assumes', () => {
    const mx = mlx().core
    const rng = new TestRng(0x032004)
    const rows = 64
    const cols = 97
    const values = new Float32Array(rows * cols)
    for (let i = 0; i < values.length; i++) values[i] = rng.int(0, 15) / 16 // heavy ties
    const order = pullNumbers(mx.argsort(pushFloat32(values).reshape([rows, cols]), 1))
    for (let r = 0; r < rows; r++) {
      const row = values.subarray(r * cols, (r + 1) * cols)
      const k = rng.int(0, cols)
      const mlxPrefix = Array.from(order.subarray(r * cols, r * cols + k)).sort((a, b) => a - b)
      expect(Array.from(smallestColumns(row, k))).toEqual(mlxPrefix)
    }
    countComparisons(rows * cols)
  })

  it('nn.init.sparse: argsort of a float32 uniform (key 1), normal(loc, scale) (key 2), zeros per row', () => {
    const mx = mlx().core
    const rng = new TestRng(0x032003)
    const cases: Array<[number[], number, number, number, MlxDTypeName]> = [
      [[8, 10], 0.5, 0, 1, 'float32'],
      [[33, 257], 0.1, 0.5, 0.02, 'bfloat16'],
      [[5, 4096], 0.9, -1, 2, 'float16'], // wide rows: uniform ties do occur (fround(bits) collides)
      [[64, 3], 1, 0, 1, 'float32'],
      [[300, 77], 0.3, 0, 0.1, 'float32']
    ]
    for (const [shape, sparsity, mean, std, dtype] of cases) {
      const mode: KeyMode = { kind: 'seed', seed: rng.pick(jsSeeds(rng)), draw: rng.int(0, 2) }
      const next = mlxKeys(mode)
      const [rows, cols] = shape as [number, number]
      const zeros = Math.ceil(sparsity * cols)
      const u = mx.random.uniform(0, 1, shape, mx.float32, next())
      const order = pullNumbers(mx.argsort(u, 1))
      const want = pullBits(normal032(mx, shape, dtype, mean, std, next()))
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < zeros; j++) want[r * cols + order[r * cols + j]!] = 0
      }
      const plan = makePlan({ kind: 'sparse', sparsity, loc: mean, scale: std }, shape, dtype, 'mlx-0.32', planKeys(mode, 2))
      const bytes = executeRange(plan, 0, rows * cols)
      const ours = dtype === 'float32' ? new Uint32Array(bytes.buffer) : new Uint16Array(bytes.buffer)
      expectSameBits(ours, want, `sparse ${dtype} [${shape}] sparsity ${sparsity}`)
      for (let r = 0; r < rows; r++) {
        let z = 0
        for (let c = 0; c < cols; c++) if ((ours[r * cols + c]! & (dtype === 'float32' ? 0x7fffffff : 0x7fff)) === 0) z++
        expect(z).toBe(zeros)
      }
      countComparisons(rows * cols)
    }
  })
})
