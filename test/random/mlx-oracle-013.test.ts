import { afterAll, expect, it } from 'vitest'
import type { Recipe } from '../../src/core/recipe.ts'
import { erfMlx013, erfinvF32 } from '../../src/random/erf.ts'
import { f32FromBits } from '../../src/random/half-conversion.ts'
import { keyFromSeed, splitKey } from '../../src/random/keys.ts'
import { logf } from '../../src/random/libm.ts'
import { countComparisons, describeOracle, mlx, mlxDType, mlxKey, oracleComparisons, pullBits, pushFloat32 } from '../support/mlx-oracle.ts'
import { expectSameBits } from './compare.ts'
import { compareWithMlx, DTYPES, describeMode, jsSeeds, type KeyMode, mlxKeys, planKeys, randomKeyMode, randomShape } from './oracle-cases.ts'
import { TestRng } from './prng.ts'

/**
 * Profile mlx-0.13 against the real MLX 0.13 binary (node-mlx 0.0.7), element for element:
 * mx.random.{key,split,seed,uniform,normal,truncatedNormal} and the float32 kernels they use.
 */

type Fn = 'uniform' | 'normal' | 'normal-ls' | 'truncated'

interface Case { fn: Fn, dtype: typeof DTYPES[number], shape: number[], mode: KeyMode, recipe: Recipe, args: number[] }

function makeCase (rng: TestRng, seeds: number[], fn: Fn, dtype: Case['dtype'], shape: number[]): Case {
  const mode = randomKeyMode(rng, seeds)
  switch (fn) {
    case 'uniform': {
      const [low, high] = rng.pick([[0, 1], [-3, 5], [-0.1234567, 0.1234567], [2, -1], [rng.float() * -2, rng.float() * 3]])
      return { fn, dtype, shape, mode, recipe: { kind: 'uniform', low: low!, high: high! }, args: [low!, high!] }
    }
    case 'normal':
      return { fn, dtype, shape, mode, recipe: { kind: 'normal' }, args: [] }
    case 'normal-ls': {
      // includes scale exactly 1 / loc exactly 0 (0.13 skips those ops) and a float32-inexact scale
      const [loc, scale] = rng.pick([[0.5, 0.02], [0, 1], [0, 0.7], [-1.25, 1], [rng.float() - 0.5, rng.float() * 3], [0.1, 1 / 3]])
      return { fn, dtype, shape, mode, recipe: { kind: 'normal', loc: loc!, scale: scale! }, args: [loc!, scale!] }
    }
    case 'truncated': {
      const [lower, upper] = rng.pick([[-2, 2], [-1, 3], [0.5, 2.5], [-3 * rng.float(), 3 * rng.float()]])
      return { fn, dtype, shape, mode, recipe: { kind: 'mlx-truncated-normal', lower: lower!, upper: upper! }, args: [lower!, upper!] }
    }
  }
}

describeOracle('mlx-0.13 profile vs real MLX 0.13 (node-mlx 0.0.7)', () => {
  afterAll(() => {
    console.log(`[mlx-oracle-013] elements compared bit for bit against MLX: ${oracleComparisons()}`)
  })

  it('key(seed) and split(key, 2|3|5) for JS-number and full uint64 seeds', () => {
    const mx = mlx().core
    const rng = new TestRng(0x013001)
    for (const seed of jsSeeds(rng)) {
      expect(Array.from(pullBits(mx.random.key(seed)))).toEqual(keyFromSeed(BigInt(seed)))
    }
    for (let i = 0; i < 40; i++) {
      const key = keyFromSeed(i < 4 ? [2n ** 64n - 1n, 2n ** 63n, 2n ** 53n + 1n, 2n ** 32n][i]! : rng.u64())
      for (const num of [2, 3, 5]) {
        const got = pullBits(mx.random.split(mlxKey(key), num))
        expect(Array.from(got)).toEqual(splitKey(key, num).flat())
        countComparisons(2 * num)
      }
    }
  })

  it('random samplers: uniform, normal, normal(loc, scale), truncated_normal over seeds, draws, shapes and dtypes', () => {
    const mx = mlx().core
    const rng = new TestRng(0x013002)
    const seeds = jsSeeds(rng)
    const fns: Fn[] = ['uniform', 'normal', 'normal-ls', 'truncated']
    const cases: Case[] = []
    for (let i = 0; i < 144; i++) cases.push(makeCase(rng, seeds, fns[i % 4]!, DTYPES[Math.floor(i / 4) % 3]!, randomShape(rng)))
    for (const c of cases) {
      const key = mlxKeys(c.mode)()
      const D = mlxDType(c.dtype)
      const got = c.fn === 'uniform'
        ? mx.random.uniform(c.args[0], c.args[1], c.shape, D, key)
        : c.fn === 'normal'
          ? mx.random.normal(c.shape, D, undefined, undefined, key)
          : c.fn === 'normal-ls'
            ? mx.random.normal(c.shape, D, c.args[0], c.args[1], key)
            : mx.random.truncatedNormal(c.args[0], c.args[1], c.shape, D, key)
      compareWithMlx(got, c.recipe, c.shape, c.dtype, 'mlx-0.13', planKeys(c.mode), rng, `${c.fn}(${c.args.join(', ')}) ${c.dtype} [${c.shape}] ${describeMode(c.mode)}`)
    }
  })

  it('consecutive calls after one seed use consecutive keys (mixed functions and dtypes)', () => {
    const mx = mlx().core
    const rng = new TestRng(0x013003)
    for (const seed of [7, 2 ** 40 + 3]) {
      mx.random.seed(seed)
      const got = [
        mx.random.normal([5], mx.float32),
        mx.random.uniform(-1, 1, [6], mx.float16),
        mx.random.truncatedNormal(-2, 2, [7], mx.bfloat16),
        mx.random.normal([3, 3], mx.bfloat16, 0.25, 2)
      ]
      const recipes: Array<[Recipe, number[], typeof DTYPES[number]]> = [
        [{ kind: 'normal' }, [5], 'float32'],
        [{ kind: 'uniform', low: -1, high: 1 }, [6], 'float16'],
        [{ kind: 'mlx-truncated-normal', lower: -2, upper: 2 }, [7], 'bfloat16'],
        [{ kind: 'normal', loc: 0.25, scale: 2 }, [3, 3], 'bfloat16']
      ]
      const mode: KeyMode = { kind: 'seed', seed, draw: 0 }
      const keys = planKeys(mode, recipes.length)
      recipes.forEach(([recipe, shape, dtype], i) => {
        compareWithMlx(got[i]!, recipe, shape, dtype, 'mlx-0.13', [keys[i]!], rng, `call #${i + 1} after seed ${seed}`)
      })
    }
  })

  it('large draws (> 2^20 elements) in every dtype', () => {
    const mx = mlx().core
    const rng = new TestRng(0x013004)
    const big: Array<[Fn, typeof DTYPES[number], number[]]> = [
      ['normal', 'float32', [1048576 + 5]],
      ['uniform', 'bfloat16', [1024, 1025]],
      ['normal-ls', 'float16', [3, 350001]],
      ['truncated', 'float32', [1 << 20]]
    ]
    for (const [fn, dtype, shape] of big) {
      const c = makeCase(rng, [123456789], fn, dtype, shape)
      const key = mlxKeys(c.mode)()
      const D = mlxDType(dtype)
      const got = fn === 'uniform'
        ? mx.random.uniform(c.args[0], c.args[1], shape, D, key)
        : fn === 'normal'
          ? mx.random.normal(shape, D, undefined, undefined, key)
          : fn === 'normal-ls'
            ? mx.random.normal(shape, D, c.args[0], c.args[1], key)
            : mx.random.truncatedNormal(c.args[0], c.args[1], shape, D, key)
      compareWithMlx(got, c.recipe, shape, dtype, 'mlx-0.13', planKeys(c.mode), rng, `${fn} ${dtype} [${shape}]`)
    }
  })

  it('float32 kernels: erfinv on [-1, 1], fast_erf on [-10, 10], glibc logf on all magnitudes', () => {
    const mx = mlx().core
    const rng = new TestRng(0x013005)
    const n = 1 << 19
    // erfinv: uniform in [-1, 1] plus every float32 in [0.999, 1] (the tail branch) and their negatives
    const tailStart = 0x3f7fbe77 // ~0.999
    const tail = 0x3f800000 - tailStart + 1
    const xs = new Float32Array(n + 2 * tail)
    for (let i = 0; i < n; i++) xs[i] = rng.float() * 2 - 1
    for (let i = 0; i < tail; i++) {
      xs[n + 2 * i] = f32FromBits(tailStart + i)
      xs[n + 2 * i + 1] = -f32FromBits(tailStart + i)
    }
    checkKernel(mx.erfinv(pushFloat32(xs)), xs, erfinvF32, 'erfinv')
    const es = new Float32Array(n)
    for (let i = 0; i < n; i++) es[i] = (rng.float() - 0.5) * (i % 4 === 0 ? 20 : 4)
    checkKernel(mx.erf(pushFloat32(es)), es, erfMlx013, 'erf')
    const ls = new Float32Array(n)
    for (let i = 0; i < n; i++) ls[i] = f32FromBits(i < 2048 ? rng.int(1, 0x007fffff) : rng.int(0x00800000, 0x7f7fffff))
    checkKernel(mx.log(pushFloat32(ls)), ls, logf, 'log')
  })
})

function checkKernel (got: ReturnType<typeof pushFloat32>, xs: Float32Array, fn: (x: number) => number, what: string): void {
  const want = pullBits(got) as Uint32Array
  const ours = new Float32Array(xs.length)
  for (let i = 0; i < xs.length; i++) ours[i] = fn(xs[i]!)
  expectSameBits(new Uint32Array(ours.buffer), want, what)
  countComparisons(xs.length)
}
