import { exp, log } from './fdlibm.ts'

/**
 * The standard normal distribution function and its inverse in double precision, built only from
 * IEEE basic operations, Math.sqrt/Math.trunc (exactly specified) and the fdlibm ports, so every
 * host computes the same bits (see fdlibm.ts for why not Math.log/Math.exp).
 *
 * - `normalTail(z)` = P(Z > z) for z >= 0: W. J. Cody's rational Chebyshev approximations
 *   (ACM TOMS Algorithm 715, as in R's nmath/pnorm.c), relative error ~1e-16 down to
 *   P ~ 1e-308 (z < 37.5193; beyond, 0).
 * - `normalQuantileLow(p)` = Phi^-1(p) for p in (0, 0.5]: Wichura's AS 241 (PPND16, as in R's
 *   nmath/qnorm.c), relative accuracy ~1e-16. Callers pass the smaller tail probability, which
 *   keeps full relative precision in both tails.
 */

/* eslint-disable @typescript-eslint/no-loss-of-precision -- constants and coefficients exactly as
   published (R's nmath, Cody 1993, Wichura 1988), so they can be checked against the sources; each
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

// AS 241 coefficients (Wichura 1988, Applied Statistics 37, 477-484).
const A241 = [3.387132872796366608, 133.14166789178437745, 1971.5909503065514427, 13731.693765509461125,
  45921.953931549871457, 67265.770927008700853, 33430.575583588128105, 2509.0809287301226727] as const
const B241 = [1, 42.313330701600911252, 687.1870074920579083, 5394.1960214247511077, 21213.794301586595867,
  39307.89580009271061, 28729.085735721942674, 5226.495278852854561] as const
const C241 = [1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055, 3.64784832476320460504,
  1.27045825245236838258, 0.24178072517745061177, 0.0227238449892691845833, 7.7454501427834140764e-4] as const
const D241 = [1, 2.05319162663775882187, 1.6763848301838038494, 0.68976733498510000455, 0.14810397642748007459,
  0.0151986665636164571966, 5.475938084995344946e-4, 1.05075007164441684324e-9] as const
const E241 = [6.6579046435011037772, 5.4637849111641143699, 1.7848265399172913358, 0.29656057182850489123,
  0.026532189526576123093, 0.0012426609473880784386, 2.71155556874348757815e-5, 2.01033439929228813265e-7] as const
const F241 = [1, 0.59983220655588793769, 0.13692988092273580531, 0.0148753612908506148525,
  7.868691311456132591e-4, 1.8463183175100546818e-5, 1.4215117583164458887e-7, 2.04426310338993978564e-15] as const

/* eslint-enable @typescript-eslint/no-loss-of-precision */

function ratio (c: readonly number[], d: readonly number[], r: number): number {
  let num = c[7]!
  let den = d[7]!
  for (let i = 6; i >= 0; i--) {
    num = num * r + c[i]!
    den = den * r + d[i]!
  }
  return num / den
}

/**
 * Phi^-1(p) for 0 < p <= 0.5 (result <= 0); p slightly above 0.5 (rounding) is fine too.
 * p = 0 gives -Infinity. AS 241's tail branches work on r = sqrt(-log p), so the relative
 * precision of a tiny p carries through to the quantile.
 */
export function normalQuantileLow (p: number): number {
  const q = p - 0.5
  if (q >= -0.425) {
    const r = 0.180625 - q * q
    return q * ratio(A241, B241, r)
  }
  if (p <= 0) return -Infinity
  let r = Math.sqrt(-log(p))
  if (r <= 5) {
    r -= 1.6
    return -ratio(C241, D241, r)
  }
  r -= 5
  return -ratio(E241, F241, r)
}
