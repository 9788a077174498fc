import { describe, expect, it } from 'vitest'
import { exp } from '../../../src/engines/reference/fdlibm.ts'
import { normalCdf, normalTail } from '../../../src/engines/reference/gauss.ts'
import { normalQuantile } from '../../../src/random/float64.ts'

/**
 * The double-precision kernels behind the truncated normal, checked against values computed with
 * mpmath at 50 significant digits (then rounded to the nearest double): fdlibm's exp is documented
 * to be within 1 ulp; Cody's tail and AS 241's quantile (src/random/float64.ts, which the sampler
 * relies on deep into the tail) within a few 1e-16 relative.
 */

/** One unit in the last place of x (a normal or subnormal double). */
function ulp (x: number): number {
  const a = Math.abs(x)
  if (a < 2 ** -1022) return 2 ** -1074
  return 2 ** (Math.floor(Math.log2(a)) - 52) * (a >= 2 ** Math.ceil(Math.log2(a)) ? 2 : 1)
}

// mpmath.exp(x), 50 digits
const EXP: Array<[number, number]> = [
  [-745.1, 5e-324], [-745, 5e-324], [-708.5, 2.006132305331306e-308], [-700, 9.85967654375977e-305],
  [-300, 5.148200222412013e-131], [-50, 1.9287498479639178e-22], [-2, 0.1353352832366127], [-0.5, 0.6065306597126334],
  [-0.34, 0.7117703227626097], [-1e-10, 0.9999999999], [1e-9, 1.000000001], [0.3, 1.3498588075760032],
  [0.35, 1.4190675485932571], [1, 2.718281828459045], [2, 7.38905609893065], [10, 22026.465794806718],
  [100, 2.6881171418161356e43], [700, 1.0142320547350045e304], [709.7, 1.6549840276802644e308]
]

// mpmath.ncdf(-z) = P(Z > z), 50 digits
const TAIL: Array<[number, number]> = [
  [0, 0.5], [1e-9, 0.49999999960105773], [0.1, 0.460172162722971], [0.5, 0.3085375387259869],
  [0.67448975, 0.25000000006231016], [0.7, 0.24196365222307303], [1, 0.15865525393145705], [1.5, 0.06680720126885807],
  [2, 0.02275013194817921], [2.5, 0.006209665325776135], [3, 0.0013498980316300946], [4, 3.1671241833119924e-05],
  [5, 2.866515718791939e-07], [5.65685424949238, 7.708628950140032e-09], [5.7, 5.990371401063528e-09],
  [6, 9.86587645037698e-10], [8, 6.220960574271784e-16], [10, 7.619853024160525e-24], [15, 3.670966199312751e-51],
  [20, 2.7536241186062337e-89], [26, 2.4760633155033892e-149], [30, 4.906713927148187e-198],
  [35, 1.1249107064724062e-268], [37.5, 4.605353009581955e-308]
]

// z with P(Z <= z) = p, solved with mpmath (Newton on log ncdf at 60 digits)
const QUANTILE: Array<[number, number]> = [
  [0.5, 0], [0.4999, -0.00025066283008800747], [0.45, -0.12566134685507402], [0.3, -0.5244005127080408],
  [0.1, -1.2815515655446004], [0.075, -1.439531470938456], [0.0749, -1.4402382675279637], [0.05, -1.6448536269514726],
  [0.02275, -2.000002443899604], [0.01, -2.326347874040841], [1e-3, -3.0902323061678136], [1e-5, -4.264890793922825],
  [1e-8, -5.612001244174789], [1.3e-11, -6.667611456510741], [1e-11, -6.706023155495136], [1e-15, -7.941345326170997],
  [1e-20, -9.262340089798407], [1e-50, -14.933337534788489], [1e-100, -21.273453560965326],
  [1e-200, -30.20559417957964], [1e-300, -37.0470962993612], [2.2e-308, -37.519681182377965]
]

describe('fdlibm exp port', () => {
  it.each(EXP)('exp(%s) is within 1 ulp of the exact value', (x, want) => {
    expect(Math.abs(exp(x) - want)).toBeLessThanOrEqual(ulp(want))
  })

  it('handles the special values like C99', () => {
    expect(exp(-Infinity)).toBe(0)
    expect(exp(Infinity)).toBe(Infinity)
    expect(exp(710)).toBe(Infinity)
    expect(exp(0)).toBe(1)
    expect(exp(NaN)).toBeNaN()
  })
})

describe('normal tail (Cody) and quantile (AS 241) deep into the tail', () => {
  it.each(TAIL)('P(Z > %s) has relative error below 1e-15', (z, want) => {
    expect(Math.abs(normalTail(z) - want) / want).toBeLessThan(1e-15)
  })

  it('is 0 beyond 37.5193 and rejects negative arguments', () => {
    expect(normalTail(38)).toBe(0)
    expect(() => normalTail(-1)).toThrow(RangeError)
  })

  it('normalCdf is the lower tail on both sides', () => {
    expect(normalCdf(-2)).toBe(normalTail(2))
    expect(normalCdf(2)).toBe(1 - normalTail(2))
    expect(normalCdf(0)).toBe(0.5)
  })

  it.each(QUANTILE)('Phi^-1(%s) has relative error below 1e-15', (p, want) => {
    const got = normalQuantile(p)
    if (want === 0) expect(got).toBe(0)
    else expect(Math.abs(got - want) / Math.abs(want)).toBeLessThan(1e-15)
  })

  it('quantile and tail are inverse to ~1e-14 over the lower half', () => {
    for (let z = 0.05; z < 37; z *= 1.13) {
      const p = normalTail(z)
      expect(Math.abs(normalQuantile(p) + z) / z).toBeLessThan(1e-14)
    }
  })

  it('quantile of 0 is -Infinity', () => {
    expect(normalQuantile(0)).toBe(-Infinity)
  })
})
