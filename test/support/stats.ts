import { expect } from 'vitest'
import { type FloatDType, nextAbove, nextBelow } from '../../src/engines/reference/round-dtype.ts'

/**
 * Statistics for distribution tests: moment checks with tolerances derived from the sample size,
 * and the Kolmogorov-Smirnov statistic against an exact target CDF.
 *
 * Independence: the normal CDF here is NOT the service's (src/engines/reference/gauss.ts, Cody's
 * algorithm with ported fdlibm exp); it is the classical erf series / erfc continued fraction with
 * Math.exp, accurate to ~1e-14, which is far below any tolerance used with it.
 */

// ---------------------------------------------------------------------------------------------
// Standard normal, independent implementation

const SQRT2 = Math.SQRT2
const INV_SQRT_PI = 1 / Math.sqrt(Math.PI)

/** erfc(x) for x >= 0: Taylor series of erf below 3, Lentz's continued fraction above. */
function erfcPositive (x: number): number {
  if (x < 3) {
    // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
    let term = x
    let sum = x
    for (let n = 1; n < 200; n++) {
      term *= -x * x / n
      const add = term / (2 * n + 1)
      sum += add
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break
    }
    return 1 - 2 * INV_SQRT_PI * sum
  }
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))
  const tiny = 1e-300
  let f = x
  let c = x
  let d = 0
  for (let k = 1; k < 500; k++) {
    const a = k / 2
    d = x + a * d
    d = Math.abs(d) < tiny ? tiny : d
    c = x + a / c
    c = Math.abs(c) < tiny ? tiny : c
    d = 1 / d
    const delta = c * d
    f *= delta
    if (Math.abs(delta - 1) < 1e-16) break
  }
  return Math.exp(-x * x) * INV_SQRT_PI / f
}

/** Phi(z), the standard normal CDF. */
export function phi (z: number): number {
  if (z === Infinity) return 1
  if (z === -Infinity) return 0
  const t = -z / SQRT2
  return t >= 0 ? 0.5 * erfcPositive(t) : 1 - 0.5 * erfcPositive(-t)
}

// ---------------------------------------------------------------------------------------------
// Target distributions

export interface Distribution {
  name: string
  cdf: (x: number) => number
  mean: number
  variance: number
  /** Fourth central moment: the variance of the sample variance is (mu4 - variance^2) / n. */
  mu4: number
  /** Support bounds, when bounded: [low, high], or [low, high) when highOpen. */
  low?: number
  high?: number
  highOpen?: boolean
}

export function normal (mean: number, std: number): Distribution {
  return {
    name: `N(${mean}, ${std}^2)`,
    cdf: (x) => std === 0 ? (x >= mean ? 1 : 0) : phi((x - mean) / std),
    mean,
    variance: std * std,
    mu4: 3 * std ** 4
  }
}

export function uniform (low: number, high: number): Distribution {
  const w = high - low
  return {
    name: `U(${low}, ${high})`,
    cdf: (x) => x <= low ? 0 : x >= high ? 1 : (x - low) / w,
    mean: (low + high) / 2,
    variance: w * w / 12,
    mu4: w ** 4 / 80,
    low,
    high,
    highOpen: true
  }
}

/**
 * N(mean, std^2) truncated to [low, high]: CDF (Phi(z) - Phi(alpha)) / Z (computed in the tail
 * where the interval sits), moments by composite Simpson integration of the density over the
 * interval in standard units (the closed-form recursions cancel catastrophically for narrow or
 * far-out intervals; the density is smooth, so 4000 panels give ~1e-12 relative accuracy).
 */
export function truncatedNormal (mean: number, std: number, low: number, high: number): Distribution {
  const a = (low - mean) / std
  const b = (high - mean) / std
  const flip = a > 0
  const pa = flip ? phi(-b) : phi(a)
  const pb = flip ? phi(-a) : phi(b)
  const z = pb - pa
  // Density relative to its largest value on [a, b], so far tails do not underflow.
  const peak = a > 0 ? a : b < 0 ? b : 0
  const weight = (t: number): number => Math.exp(-0.5 * (t * t - peak * peak))
  const panels = 4000
  const h = (b - a) / panels
  const integrate = (f: (t: number) => number): number => {
    let sum = f(a) + f(b)
    for (let i = 1; i < panels; i++) sum += (i % 2 === 1 ? 4 : 2) * f(a + i * h)
    return sum * h / 3
  }
  const mass = integrate(weight)
  const m1 = integrate((t) => t * weight(t)) / mass
  const c2 = integrate((t) => (t - m1) ** 2 * weight(t)) / mass
  const c4 = integrate((t) => (t - m1) ** 4 * weight(t)) / mass
  return {
    name: `TN(${mean}, ${std}^2, [${low}, ${high}])`,
    cdf: (x) => {
      if (x <= low) return 0
      if (x >= high) return 1
      const t = (x - mean) / std
      return flip ? (phi(-a) - phi(-t)) / z : (phi(t) - pa) / z
    },
    mean: mean + std * m1,
    variance: std * std * c2,
    mu4: std ** 4 * c4,
    low,
    high
  }
}

// ---------------------------------------------------------------------------------------------
// Moments

export interface SampleMoments { n: number, mean: number, variance: number }

/** Smallest and largest value (without spreading a large array into Math.min's arguments). */
export function extent (values: ArrayLike<number>): [number, number] {
  let lo = Infinity
  let hi = -Infinity
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!
    if (v < lo) lo = v
    if (v > hi) hi = v
  }
  return [lo, hi]
}

export function sampleMoments (values: ArrayLike<number>): SampleMoments {
  const n = values.length
  let sum = 0
  for (let i = 0; i < n; i++) sum += values[i]!
  const mean = sum / n
  let ss = 0
  for (let i = 0; i < n; i++) {
    const d = values[i]! - mean
    ss += d * d
  }
  return { n, mean, variance: ss / (n - 1) }
}

/** Significant bits of a dtype's significand, for the rounding allowance. */
const PRECISION: Record<FloatDType, number> = { float64: 53, float32: 24, float16: 11, bfloat16: 8 }

/**
 * Checks the sample mean and variance against the distribution with `z` standard errors:
 * se(mean) = sqrt(variance / n), se(variance) = sqrt((mu4 - variance^2) / n) (large-n variance of
 * the sample variance). Rounding to a dtype with p significant bits moves every value by at most
 * |x| 2^-p relatively, so the mean can shift by E|X| 2^-p and the second moment by about
 * E[X^2] 2^(1-p); those deterministic bounds are added (negligible except for bfloat16, where
 * they are ~0.4% / 0.8%, still well below the statistical tolerance at the sample sizes used).
 */
export function expectMoments (values: ArrayLike<number>, dist: Distribution, dtype: FloatDType, z = 5): void {
  const s = sampleMoments(values)
  const rel = 2 ** -PRECISION[dtype]
  const absMean = Math.sqrt(dist.variance + dist.mean * dist.mean)
  const meanTol = z * Math.sqrt(dist.variance / s.n) + absMean * rel
  const varTol = z * Math.sqrt(Math.max(0, dist.mu4 - dist.variance ** 2) / s.n) + (dist.variance + dist.mean * dist.mean) * 2 * rel
  expect(Math.abs(s.mean - dist.mean), `mean ${s.mean} vs ${dist.mean} of ${dist.name} (tolerance ${meanTol})`).toBeLessThanOrEqual(meanTol)
  expect(Math.abs(s.variance - dist.variance), `variance ${s.variance} vs ${dist.variance} of ${dist.name} (tolerance ${varTol})`).toBeLessThanOrEqual(varTol)
}

// ---------------------------------------------------------------------------------------------
// Kolmogorov-Smirnov

/**
 * Critical value of the KS statistic D_n at level alpha: P(D_n > eps) <= 2 exp(-2 n eps^2)
 * (Dvoretzky-Kiefer-Wolfowitz with Massart's constant, valid for every n and conservative for
 * discrete targets), so eps = sqrt(ln(2/alpha) / (2n)).
 */
export function ksCritical (n: number, alpha = 1e-6): number {
  return Math.sqrt(Math.log(2 / alpha) / (2 * n))
}

/**
 * sup_x |F_n(x) - F(x)| for a sample and a target given as P(X <= v) (`cdf`) and P(X < v)
 * (`cdfBelow`, equal to cdf for continuous targets). Both are step functions with jumps only at
 * sample values or, for a discrete target, at its atoms; between two sample values the empirical
 * CDF is flat and the target monotone, so checking F(v) and F(v-) at every distinct sample value
 * v gives the supremum exactly.
 */
export function ksStatistic (values: ArrayLike<number>, cdf: (v: number) => number, cdfBelow: (v: number) => number = cdf): number {
  const sorted = Float64Array.from(values as ArrayLike<number>).sort()
  const n = sorted.length
  let d = 0
  let i = 0
  while (i < n) {
    const v = sorted[i]!
    let j = i
    while (j < n && sorted[j] === v) j++
    const at = cdf(v)
    const below = cdfBelow === cdf ? at : cdfBelow(v)
    d = Math.max(d, Math.abs(i / n - below), Math.abs(j / n - at))
    i = j
  }
  return d
}

/**
 * The CDF of round_dtype(X) for a continuous X: an atom v collects X in (mid(v-), mid(v+)) where
 * mid are the midpoints to the neighbouring representable values (ties have probability 0). At a
 * bound the samplers step a value that rounded outside back in (roundWithin / the uniform's
 * half-open top), so the outermost atom inside also collects the rest of the support. For
 * float32/float64 the rounding is below any KS resolution and X's own CDF is returned.
 */
export function roundedCdf (dist: Distribution, dtype: FloatDType): { cdf: (v: number) => number, cdfBelow: (v: number) => number } {
  if (dtype === 'float32' || dtype === 'float64') return { cdf: dist.cdf, cdfBelow: dist.cdf }
  const { low = -Infinity, high = Infinity, highOpen = false } = dist
  return {
    cdf: (v) => {
      const up = nextAbove(dtype, v)
      if (highOpen ? up >= high : up > high) return 1
      return dist.cdf((v + up) / 2)
    },
    cdfBelow: (v) => {
      const down = nextBelow(dtype, v)
      if (down < low) return 0
      return dist.cdf((down + v) / 2)
    }
  }
}

/** KS test of a sample against the dtype-rounded distribution at level 1e-6. */
export function expectKs (values: ArrayLike<number>, dist: Distribution, dtype: FloatDType, alpha = 1e-6): void {
  const { cdf, cdfBelow } = roundedCdf(dist, dtype)
  const d = ksStatistic(values, cdf, cdfBelow)
  const crit = ksCritical(values.length, alpha)
  expect(d, `KS statistic of ${values.length} samples vs ${dist.name} in ${dtype} (critical ${crit})`).toBeLessThanOrEqual(crit)
}
