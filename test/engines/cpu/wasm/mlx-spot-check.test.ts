import { expect, it } from 'vitest'
import { instantiateKernels } from '../../../../src/engines/cpu/wasm/kernel-module.ts'
import { WasmKernels } from '../../../../src/engines/cpu/wasm/wasm-kernels.ts'
import { countComparisons, describeOracle, mlx, mlxDType, mlxKey, pullBits, type MxArray } from '../../../support/mlx-oracle.ts'
import { MLX_DTYPES, keyStream, samplerPlan } from './plans.ts'
import type { Key } from '../../../../src/core/plan.ts'
import type { Recipe } from '../../../../src/core/recipe.ts'

/**
 * The wasm kernels against real MLX (@frost-beta/mlx 0.0.7 = MLX 0.13.1, profile mlx-0.13),
 * directly rather than through the reference: a million elements per sampler and dtype, odd
 * sizes so the middle counter (half, 0) is exercised too.
 */

const kernels = new WasmKernels(instantiateKernels())

type Dt = typeof MLX_DTYPES[number]

function mlxSample (recipe: Recipe, dtype: Dt, n: number, key: Key): MxArray {
  const r = mlx().core.random
  const k = mlxKey(key)
  const d = mlxDType(dtype)
  switch (recipe.kind) {
    case 'uniform': return r.uniform!(recipe.low, recipe.high, [n], d, k)
    case 'normal': return r.normal!([n], d, recipe.loc ?? 0, recipe.scale ?? 1, k)
    case 'mlx-truncated-normal': return r.truncatedNormal!(recipe.lower, recipe.upper, [n], d, k)
    default: throw new Error(`no MLX call for ${recipe.kind}`)
  }
}

const CASES: Recipe[] = [
  { kind: 'uniform', low: -3, high: 5 },
  { kind: 'normal' },
  { kind: 'normal', loc: 0.5, scale: 0.02 },
  { kind: 'mlx-truncated-normal', lower: -2, upper: 2 }
]

describeOracle('wasm kernels equal real MLX 0.13', () => {
  for (const dtype of MLX_DTYPES) {
    it(`${dtype}: uniform, normal, normal(loc, scale), truncated normal`, () => {
      const nextKey = keyStream(dtype.length * 7919)
      for (const recipe of CASES) {
        const n = (1 << 20) + 3
        const key = nextKey()
        const plan = samplerPlan(recipe, 'mlx-0.13', dtype, [n], key)
        const bytes = kernels.run(plan, 0, n)!
        const ours = dtype === 'float32'
          ? new Uint32Array(bytes.buffer, bytes.byteOffset, n)
          : new Uint16Array(bytes.buffer, bytes.byteOffset, n)
        const theirs = pullBits(mlxSample(recipe, dtype, n, key))
        expect(theirs.length).toBe(n)
        let differing = 0
        for (let i = 0; i < n; i++) if (ours[i] !== theirs[i]) differing++
        expect(differing, `${JSON.stringify(recipe)}: elements differing from MLX`).toBe(0)
        countComparisons(n)
      }
    })
  }
})
