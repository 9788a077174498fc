import { describe, expect, it } from 'vitest'
import { type FloatDType, roundTo, roundWithin } from '../../../src/engines/reference/round-dtype.ts'
import type { RoundedNormalRecipe, RoundedUniformRecipe } from '../../../src/core/recipe.ts'
import { normalF32 } from '../../../src/random/normal.ts'
import { recipePlan, values } from '../../initializers/sample.ts'
import { expectKs, expectMoments, extent, normal, uniform } from '../../support/stats.ts'

/**
 * The non-MLX families' untruncated normal and uniform: distributions in every dtype, one double
 * sample per element rounded once, range == slice.
 */

const DTYPES: FloatDType[] = ['float32', 'float16', 'bfloat16', 'float64']
const N = 100_000
const RANGES = [[0, 1], [0, 999], [17, 18], [500, 2000], [2999, 3000], [1, 2999]] as const

describe('rounded-normal kernel', () => {
  for (const [mean, std] of [[0, 1], [0, 0.02], [0.5, 0.003], [-3, 7]] as const) {
    for (const dtype of DTYPES) {
      it(`N(${mean}, ${std}^2) in ${dtype}: moments and KS`, () => {
        const v = values(recipePlan({ kind: 'rounded-normal', mean, std }, [N], dtype))
        const dist = normal(mean, std)
        expectMoments(v, dist, dtype)
        expectKs(v, dist, dtype)
      })
    }
  }

  it('is MLX\'s float32 standard normal scaled in double and rounded once, in every dtype and both profiles', () => {
    const recipe: RoundedNormalRecipe = { kind: 'rounded-normal', mean: 0.25, std: 0.1 }
    const plan = recipePlan(recipe, [4099], 'float64')
    const z = new Float32Array(4099)
    normalF32('mlx-0.32', { key: plan.keys[0]!, n: 4099, start: 0, end: 4099 }, undefined, undefined, z)
    for (const dtype of DTYPES) {
      for (const profile of ['mlx-0.32', 'mlx-0.13'] as const) {
        const v = values({ ...recipePlan(recipe, [4099], dtype), profile })
        const want = Float64Array.from(z, (x) => roundTo(dtype, 0.25 + 0.1 * x))
        expect(v).toEqual(want)
      }
    }
  })

  it('reaches past MLX 0.13\'s half-dtype clipping (+-3.49 in float16)', () => {
    const v = values(recipePlan({ kind: 'rounded-normal', mean: 0, std: 1 }, [1_000_000], 'float16'))
    const [lo, hi] = extent(v)
    expect(Math.max(-lo, hi)).toBeGreaterThan(4)
  })

  it('computes any range as the slice of the whole', () => {
    for (const dtype of DTYPES) {
      const plan = recipePlan({ kind: 'rounded-normal', mean: 1, std: 2 }, [30, 100], dtype)
      const whole = values(plan)
      for (const [s, e] of RANGES) expect(values(plan, s, e)).toEqual(whole.subarray(s, e))
    }
  })
})

describe('rounded-uniform kernel', () => {
  for (const [low, high] of [[-0.05, 0.05], [0, 1], [0, 0.01], [2, 2.001], [-1e-3, 3]] as const) {
    for (const dtype of DTYPES) {
      it(`U[${low}, ${high}) in ${dtype}: moments, KS and half-open bounds`, () => {
        const v = values(recipePlan({ kind: 'rounded-uniform', low, high }, [N], dtype))
        const dist = uniform(low, high)
        const [lo, hi] = extent(v)
        expect(lo).toBeGreaterThanOrEqual(low)
        expect(hi).toBeLessThan(high)
        // [2, 2.001) holds only two bfloat16 / float16 values: too coarse for moments and KS.
        if (!(low === 2 && (dtype === 'float16' || dtype === 'bfloat16'))) {
          expectMoments(v, dist, dtype)
          expectKs(v, dist, dtype)
        }
      })
    }
  }

  it('fills the whole dtype grid, not a coarse fixed-point grid (unlike MLX\'s half uniform)', () => {
    // Near 0, bfloat16 resolves 2^-133; MLX scales a bfloat16 u and so hits multiples of 2^-8.
    const v = values(recipePlan({ kind: 'rounded-uniform', low: -1, high: 1 }, [N], 'bfloat16'))
    const small = [...v].filter((x) => x !== 0 && Math.abs(x) < 2 ** -9)
    expect(small.length).toBeGreaterThan(N * 2 ** -9 * 0.8)
  })

  it('a reversed range (JAX uniform with a negative scale) stays within (high, low]', () => {
    const recipe: RoundedUniformRecipe = { kind: 'rounded-uniform', low: 0, high: -0.5 }
    const v = values(recipePlan(recipe, [20_000], 'float32'))
    const [lo, hi] = extent(v)
    expect(lo).toBeGreaterThanOrEqual(-0.5)
    expect(hi).toBeLessThanOrEqual(0)
    expectKs(v.map((x) => -x), uniform(0, 0.5), 'float32')
  })

  it('gives every dtype the same samples, rounded once', () => {
    const recipe: RoundedUniformRecipe = { kind: 'rounded-uniform', low: -0.3, high: 0.7 }
    const f64 = values(recipePlan(recipe, [5000], 'float64'))
    for (const dtype of ['float32', 'float16', 'bfloat16'] as const) {
      const v = values(recipePlan(recipe, [5000], dtype))
      const mismatches = [...v].filter((x, i) => x !== roundWithin(dtype, f64[i]!, -0.3, 0.7, true))
      expect(mismatches).toEqual([])
      // ... and rounding only moved values that fell outside [-0.3, 0.7) (neither bound is a half value).
      expect([...v].filter((x, i) => x !== roundTo(dtype, f64[i]!)).every((x) => Math.abs(x + 0.3) < 2 ** -7 || Math.abs(x - 0.7) < 2 ** -7)).toBe(true)
    }
  })

  it('computes any range as the slice of the whole', () => {
    for (const dtype of DTYPES) {
      const plan = recipePlan({ kind: 'rounded-uniform', low: -2, high: 5 }, [3000], dtype)
      const whole = values(plan)
      for (const [s, e] of RANGES) expect(values(plan, s, e)).toEqual(whole.subarray(s, e))
    }
  })
})
