import { describe, expect, it } from 'vitest'
import { executeRange } from '../../../../src/engines/reference/index.ts'
import { instantiateKernels } from '../../../../src/engines/cpu/wasm/kernel-module.ts'
import { WasmKernels } from '../../../../src/engines/cpu/wasm/wasm-kernels.ts'
import { MLX_DTYPES, PROFILES, SAMPLER_RECIPES, describeRecipe, keyStream, samplerPlan } from './plans.ts'

/**
 * The wasm kernels against the reference kernels (the oracle): byte for byte, for every sampler
 * recipe variant, profile and dtype, over odd and even sizes (odd word counts use the (half, 0)
 * counter), tiny tensors, sub-ranges that start and end anywhere (including inside a 16-bit
 * word pair and across the middle of the counter layout), and about two million elements per
 * profile and dtype.
 */

const kernels = new WasmKernels(instantiateKernels())

function firstDifference (a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i
  return a.length === b.length ? -1 : n
}

const SIZES = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33, 1000, 4097, 65537, 200_003]

describe('wasm kernels equal the reference kernels', () => {
  for (const profile of PROFILES) {
    for (const dtype of MLX_DTYPES) {
      it(`${profile} ${dtype}: every recipe, size and range`, () => {
        const nextKey = keyStream(profile.length * 31 + dtype.length)
        let elements = 0
        for (const recipe of SAMPLER_RECIPES) {
          for (const n of SIZES) {
            const plan = samplerPlan(recipe, profile, dtype, [n], nextKey())
            const third = Math.floor(n / 3)
            const ranges: Array<[number, number]> = [[0, n], [third, n], [1, Math.max(1, n - 1)], [third, 2 * third + 1], [n - 1, n]]
            for (const [start, end] of ranges) {
              const expected = executeRange(plan, start, end)
              const actual = kernels.run(plan, start, end)
              expect(actual, 'a wasm kernel exists for this plan').toBeDefined()
              const at = firstDifference(expected, actual!)
              expect(at, `${describeRecipe(recipe)} n=${n} [${start}, ${end}) first differing byte`).toBe(-1)
              elements += end - start
            }
          }
        }
        expect(elements).toBeGreaterThan(2_000_000)
      })
    }
  }

  it('handles word indices past 2^31 (unsigned counters)', () => {
    const nextKey = keyStream(7)
    // 2^31 + 20 float32 elements: W > 2^31, so counters and the middle are above int32 range.
    for (const [shape, dtype, profile] of [
      [[2 ** 31 + 20], 'float32', 'mlx-0.32'],
      [[2 ** 32 - 3], 'bfloat16', 'mlx-0.32'],
      [[2 ** 32 - 3], 'float16', 'mlx-0.13']
    ] as const) {
      const n = shape[0]
      const plan = samplerPlan({ kind: 'normal' }, profile, dtype, [...shape], nextKey())
      for (const start of [0, Math.floor(n / 2) - 9, Math.min(2 ** 31 - 7, n - 41), n - 41]) {
        const expected = executeRange(plan, start, start + 41)
        expect(firstDifference(expected, kernels.run(plan, start, start + 41)!)).toBe(-1)
      }
    }
  })

  it('declines recipes and dtypes it has no kernel for', () => {
    const key = keyStream(3)()
    expect(kernels.run(samplerPlan({ kind: 'normal' }, 'mlx-0.32', 'float64', [10], key), 0, 10)).toBeUndefined()
    expect(kernels.run(samplerPlan({ kind: 'constant', value: 1 }, 'mlx-0.32', 'float32', [10], key), 0, 10)).toBeUndefined()
    expect(WasmKernels.supports(samplerPlan({ kind: 'sparse', sparsity: 0.5, loc: 0, scale: 1 }, 'mlx-0.32', 'float32', [4, 4], key))).toBe(false)
  })

  it('returns an empty buffer for an empty range', () => {
    const plan = samplerPlan({ kind: 'uniform', low: 0, high: 1 }, 'mlx-0.32', 'float16', [10], keyStream(5)())
    expect(kernels.run(plan, 4, 4)!.byteLength).toBe(0)
  })
})
