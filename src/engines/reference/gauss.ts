import { exp } from './fdlibm.ts'

/**
 * The standard normal distribution function in double precision, built only from IEEE basic
 * operations, Math.trunc (exactly specified) and the fdlibm exp port, so every host computes the
 * same bits (see fdlibm.ts for why not Math.exp).
 *
 * `normalTail(z)` = P(Z > z) for z >= 0: W. J. Cody's rational Chebyshev approximations (ACM
 * TOMS Algorithm 715, as in R's nmath/pnorm.c), relative error ~1e-16 down to P ~ 1e-308
 * (z < 37.5193; beyond, 0).
 *
 * The inverse is normalQuantile in src/random/float64.ts (Wichura's AS 241 with fdlibm's log,
 * relative accuracy ~1e-16 down to p ~ 1e-308); callers pass it the smaller tail probability,
 * which keeps full relative precision in both tails.
 */

/* eslint-disable @typescript-eslint/no-loss-of-precision -- constants and coefficients exactly as
   published (R's nmath/pnorm.c, Cody 1993), so they can be checked against the source; each
   literal parses to the nearest double, which is the intended constant. */
const SQRT32 = 5.656854249492380195206754896838
const ONE_OVER_SQRT_2PI = 0.398942280401432677939946059934
const HALF_EPS = 2 ** -53

const A = [2.2352520354606839287, 161.02823106855587881, 1067.6894854603709582, 18154.981253343561249, 0.065682337918207449113] as const
const B = [47.20258190468824187, 976.09855173777669322, 10260.932208618978205, 45507.789335026729956] as const
const C = [
  0.39894151208813466764, 8.8831497943883759412, 93.506656132177855979, 597.27027639480026226,
  2494.5375852903726711, 6848.1904505362823326, 11602.651437647350124, 9842.7148383839780218,
  1.0765576773720192317e-8
] as const
const D = [
  22.266688044328115691, 235.38790178262499861, 1519.377599407554805, 6485.558298266760755,
  18615.571640885098091, 34900.952721145977266, 38912.003286093271411, 19685.429676859990727
] as const
const P = [0.21589853405795699, 0.1274011611602473639, 0.022235277870649807, 0.001421619193227893466, 2.9112874951168792e-5, 0.02307344176494017303] as const
const Q = [1.28426009614491121, 0.468238212480865118, 0.0659881378689285515, 0.00378239633202758244, 7.29751555083966205e-5] as const
/* eslint-enable @typescript-eslint/no-loss-of-precision */

/**
 * exp(-y^2/2) * temp, with y^2 split so the large part is exact (Cody's `do_del`): y = ysq + d
 * where ysq has 4 fractional bits, so ysq*ysq is exact and only the small part carries rounding.
 */
function scaledGaussian (y: number, temp: number): number {
  const ysq = Math.trunc(y * 16) / 16
  const del = (y - ysq) * (y + ysq)
  return exp(-ysq * ysq * 0.5) * exp(-del * 0.5) * temp
}

/** P(Z > z) for z >= 0 (Cody). Full relative precision in the tail; 0 beyond z ~ 37.52. */
export function normalTail (z: number): number {
  if (!(z >= 0)) throw new RangeError(`normalTail needs z >= 0, got ${z}`)
  if (z <= 0.67448975) { // qnorm(3/4): 0.5 - central part
    let xnum = 0
    let xden = 0
    if (z > HALF_EPS) {
      const zsq = z * z
      xnum = A[4] * zsq
      xden = zsq
      for (let i = 0; i < 3; i++) {
        xnum = (xnum + A[i]!) * zsq
        xden = (xden + B[i]!) * zsq
      }
    }
    return 0.5 - z * (xnum + A[3]) / (xden + B[3])
  }
  if (z <= SQRT32) {
    let xnum = C[8] * z
    let xden = z
    for (let i = 0; i < 7; i++) {
      xnum = (xnum + C[i]!) * z
      xden = (xden + D[i]!) * z
    }
    return scaledGaussian(z, (xnum + C[7]) / (xden + D[7]))
  }
  if (z < 37.5193) {
    const zsq = 1 / (z * z)
    let xnum = P[5] * zsq
    let xden = zsq
    for (let i = 0; i < 4; i++) {
      xnum = (xnum + P[i]!) * zsq
      xden = (xden + Q[i]!) * zsq
    }
    let temp = zsq * (xnum + P[4]) / (xden + Q[4])
    temp = (ONE_OVER_SQRT_2PI - temp) / z
    return scaledGaussian(z, temp)
  }
  return 0
}

/** Phi(z) = P(Z <= z) for any finite z; accurate to ~1e-16 relative in the lower tail. */
export function normalCdf (z: number): number {
  return z <= 0 ? normalTail(-z) : 1 - normalTail(z)
}
