import { TensorInitError } from '../../core/errors.ts'
import { elementCount, type Plan } from '../../core/plan.ts'
import type { TruncNormalRecipe } from '../../core/recipe.ts'
import { fillWords } from '../../random/bits.ts'
import { normalQuantile } from '../../random/float64.ts'
import { normalCdf, normalTail } from './gauss.ts'
import { planKey } from './keys.ts'
import { floatView, requireFloatDType, storeWithin } from './round-dtype.ts'

/**
 * The non-MLX families' truncated normal (Keras TruncatedNormal and the truncated
 * VarianceScaling presets, JAX truncated_normal / variance_scaling, torch trunc_normal_):
 * N(mean, std^2) conditioned on [low, high], by inverse CDF on one 32-bit Threefry word per
 * element (the word layout of MLX's float32 uniform), so every element is a function of
 * (key, tensor size, index) and any range equals the same slice of the whole tensor.
 *
 * In standard units alpha = (low - mean)/std, beta = (high - mean)/std and mass M = P(alpha < Z <
 * beta). With u = (word + 1/2) / 2^32 in (0, 1), the target probability is Phi(alpha) + u M. It is
 * formed from whichever tail is smaller, pl = Phi(alpha) + u M or pu = Q(beta) + (1 - u) M
 * (pl + pu = 1, Q(z) = P(Z > z)); both are sums of positive terms, so they keep full relative
 * precision even when the interval lies far in one tail (e.g. torch's absolute a, b at many std),
 * and the AS 241 quantile of the smaller one keeps it too: z = Phi^-1(pl) or z = -Phi^-1(pu).
 * x = mean + std z is clamped to [low, high] and rounded once to the dtype, stepping back inside
 * the bounds when rounding crossed one. Everything is double arithmetic with deterministic
 * kernels (gauss.ts), so the bits are the same on every host; the float32, float16 and bfloat16
 * tensors are roundings of the same double samples.
 */

/** Per-recipe constants of the sampler. */
export interface TruncNormalSetup {
  mean: number
  std: number
  low: number
  high: number
  alpha: number
  beta: number
  /** Phi(alpha), Q(beta) and the interval's mass M. */
  lowerTail: number
  upperTail: number
  mass: number
}

export function truncNormalSetup (recipe: TruncNormalRecipe): TruncNormalSetup {
  const { mean, std, low, high } = recipe
  if (!(low <= high) || !(std >= 0)) {
    throw new TensorInitError('invalid-parameter', `truncated normal needs low <= high and std >= 0, got [${low}, ${high}], std ${std}`)
  }
  if (std === 0) return { mean, std, low, high, alpha: 0, beta: 0, lowerTail: 0, upperTail: 0, mass: 0 }
  const alpha = (low - mean) / std
  const beta = (high - mean) / std
  const lowerTail = normalCdf(alpha)
  const upperTail = normalCdf(-beta)
  let mass: number
  if (alpha >= 0) mass = normalTail(alpha) - upperTail
  else if (beta <= 0) mass = normalTail(-beta) - lowerTail
  else mass = 1 - lowerTail - upperTail
  return { mean, std, low, high, alpha, beta, lowerTail, upperTail, mass }
}

const TWO_M32 = 2 ** -32

/** The double sample for one 32-bit word (before rounding to the dtype). */
export function truncNormalValue (s: TruncNormalSetup, word: number): number {
  if (s.mass > 0) {
    const u = (word + 0.5) * TWO_M32
    const pl = s.lowerTail + u * s.mass
    let z = pl <= 0.5 ? normalQuantile(pl) : -normalQuantile(s.upperTail + (1 - u) * s.mass)
    if (z < s.alpha) z = s.alpha
    else if (z > s.beta) z = s.beta
    const x = s.mean + s.std * z
    return x < s.low ? s.low : x > s.high ? s.high : x
  }
  // std = 0, or an interval too far out for double (more than 37 std from the mean; the plan
  // builder refuses those): the point of [low, high] nearest the mean.
  return s.mean < s.low ? s.low : s.mean > s.high ? s.high : s.mean
}

const BLOCK = 8192
const words = new Uint32Array(BLOCK)

export function truncNormalKernel (plan: Plan, recipe: TruncNormalRecipe, start: number, end: number, out: Uint8Array): void {
  const dtype = requireFloatDType(plan.dtype, 'truncated normal')
  const setup = truncNormalSetup(recipe)
  const key = planKey(plan, 0)
  const n = elementCount(plan.shape)
  const view = floatView(dtype, out)
  for (let s = start; s < end; s += BLOCK) {
    const e = Math.min(end, s + BLOCK)
    fillWords(key, n, s, e, words)
    for (let i = 0; i < e - s; i++) {
      const x = truncNormalValue(setup, words[i]!)
      storeWithin(dtype, view, s - start + i, x, setup.low, setup.high)
    }
  }
}
