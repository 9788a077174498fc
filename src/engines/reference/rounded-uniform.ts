import { elementCount, type Plan } from '../../core/plan.ts'
import type { RoundedUniformRecipe } from '../../core/recipe.ts'
import { fillWords } from '../../random/bits.ts'
import { planKey } from './keys.ts'
import { floatView, requireFloatDType, storeWithin } from './round-dtype.ts'

/**
 * The non-MLX families' uniform on [low, high) (Keras RandomUniform and the uniform
 * VarianceScaling presets, torch uniform_ / xavier_uniform_ / kaiming_uniform_, JAX uniform and
 * variance_scaling(distribution='uniform')): u = word / 2^32 from one 32-bit Threefry word per
 * element (MLX's float32 uniform layout), x = low + (high - low) * u in double, rounded once to
 * the dtype. Unlike MLX's half-dtype uniform, which scales a half-precision u (a fixed grid of
 * 2^-8 or 2^-11 steps of the range), every dtype gets the double sample rounded to its own grid,
 * and the dtypes share one stream. A value that rounds up to `high` steps down to the largest
 * representable value below it, keeping the frameworks' half-open [low, high).
 */

const TWO_M32 = 2 ** -32
const BLOCK = 8192
const words = new Uint32Array(BLOCK)

export function roundedUniformKernel (plan: Plan, recipe: RoundedUniformRecipe, start: number, end: number, out: Uint8Array): void {
  const dtype = requireFloatDType(plan.dtype, 'uniform')
  const { low, high } = recipe
  const range = high - low
  // A reversed range (low > high: JAX's uniform with a negative scale) yields (high, low]; its
  // rounding fix-up keeps values within [high, low].
  const reversed = high < low
  const lo = reversed ? high : low
  const hi = reversed ? low : high
  const key = planKey(plan, 0)
  const n = elementCount(plan.shape)
  const view = floatView(dtype, out)
  for (let s = start; s < end; s += BLOCK) {
    const e = Math.min(end, s + BLOCK)
    fillWords(key, n, s, e, words)
    for (let i = 0; i < e - s; i++) {
      storeWithin(dtype, view, s - start + i, low + range * (words[i]! * TWO_M32), lo, hi, !reversed)
    }
  }
}
