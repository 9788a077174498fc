/* eslint-disable @typescript-eslint/no-loss-of-precision -- the published fdlibm and AS 241 constants, kept digit for digit; they round to the same doubles a C compiler produces */
/**
 * Double-precision pieces of the service's own float64 recipes (not MLX: MLX has no float64
 * samplers). Everything is plain IEEE double arithmetic plus sqrt, so a WebAssembly kernel can
 * reproduce it bit for bit: the logarithm is a port of fdlibm's __ieee754_log (the algorithm V8's
 * Math.log uses) instead of a call into whatever libm the runtime has.
 */

const f64 = new Float64Array(1)
const w64 = new Uint32Array(f64.buffer) // [low, high] on little-endian hosts

const LN2_HI = 6.93147180369123816490e-01 // 0x3fe62e42 fee00000
const LN2_LO = 1.90821492927058770002e-10 // 0x3dea39ef 35793c76
const TWO54 = 1.80143985094819840000e+16 // 0x43500000 00000000
const LG1 = 6.666666666666735130e-01 // 0x3FE55555 55555593
const LG2 = 3.999999999940941908e-01 // 0x3FD99999 9997FA04
const LG3 = 2.857142874366239149e-01 // 0x3FD24924 94229359
const LG4 = 2.222219843214978396e-01 // 0x3FCC71C5 1D8E78AF
const LG5 = 1.818357216161805012e-01 // 0x3FC74664 96CB03DE
const LG6 = 1.531383769920937332e-01 // 0x3FC39A09 D078C69F
const LG7 = 1.479819860511658591e-01 // 0x3FC2F112 DF3E5244

/**
 * Natural logarithm, fdlibm e_log.c: x = 2^k (1 + f) with sqrt(2)/2 < 1 + f < sqrt(2),
 * log(1 + f) = f - s(f - R) with s = f / (2 + f) and R a degree-14 minimax polynomial in s.
 */
export function log64 (xIn: number): number {
  let x = xIn
  f64[0] = x
  let hx = w64[1]! | 0
  const lx = w64[0]!
  let k = 0
  if (hx < 0x00100000) { // x < 2^-1022: zero, negative or subnormal
    if (((hx & 0x7fffffff) | lx) === 0) return -Infinity
    if (hx < 0) return NaN
    k -= 54
    x *= TWO54
    f64[0] = x
    hx = w64[1]! | 0
  }
  if (hx >= 0x7ff00000) return x + x
  k += (hx >> 20) - 1023
  hx &= 0x000fffff
  const i = (hx + 0x95f64) & 0x100000
  w64[1] = hx | (i ^ 0x3ff00000) // normalize x or x/2
  x = f64[0]!
  k += i >> 20
  const f = x - 1.0
  if ((0x000fffff & (2 + hx)) < 3) { // -2^-20 <= f < 2^-20
    if (f === 0) return k === 0 ? 0 : k * LN2_HI + k * LN2_LO
    const r = f * f * (0.5 - 0.33333333333333333 * f)
    return k === 0 ? f - r : k * LN2_HI - ((r - k * LN2_LO) - f)
  }
  const s = f / (2.0 + f)
  const z = s * s
  let j = hx - 0x6147a
  const w = z * z
  const jj = 0x6b851 - hx
  const t1 = w * (LG2 + w * (LG4 + w * LG6))
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)))
  j |= jj
  const r = t2 + t1
  if (j > 0) {
    const hfsq = 0.5 * f * f
    return k === 0 ? f - (hfsq - s * (hfsq + r)) : k * LN2_HI - ((hfsq - (s * (hfsq + r) + k * LN2_LO)) - f)
  }
  return k === 0 ? f - s * (f - r) : k * LN2_HI - ((s * (f - r) - k * LN2_LO) - f)
}

// Wichura, "Algorithm AS 241: The percentage points of the normal distribution" (Applied
// Statistics 37(3), 1988), PPND16: relative accuracy about 1e-16.
const A = [3.3871328727963666080e0, 1.3314166789178437745e+2, 1.9715909503065514427e+3, 1.3731693765509461125e+4,
  4.5921953931549871457e+4, 6.7265770927008700853e+4, 3.3430575583588128105e+4, 2.5090809287301226727e+3]
const B = [1, 4.2313330701600911252e+1, 6.8718700749205790830e+2, 5.3941960214247511077e+3,
  2.1213794301586595867e+4, 3.9307895800092710610e+4, 2.8729085735721942674e+4, 5.2264952788528545610e+3]
const C = [1.42343711074968357734e0, 4.63033784615654529590e0, 5.76949722146069140550e0, 3.64784832476320460504e0,
  1.27045825245236838258e0, 2.41780725177450611770e-1, 2.27238449892691845833e-2, 7.74545014278341407640e-4]
const D = [1, 2.05319162663775882187e0, 1.67638483018380384940e0, 6.89767334985100004550e-1,
  1.48103976427480074590e-1, 1.51986665636164571966e-2, 5.47593808499534494600e-4, 1.05075007164441684324e-9]
const E = [6.65790464350110377720e0, 5.46378491116411436990e0, 1.78482653991729133580e0, 2.96560571828504891230e-1,
  2.65321895265761230930e-2, 1.24266094738807843860e-3, 2.71155556874348757815e-5, 2.01033439929228813265e-7]
const F = [1, 5.99832206555887937690e-1, 1.36929880922735805310e-1, 1.48753612908506148525e-2,
  7.86869131145613259100e-4, 1.84631831751005468180e-5, 1.42151175831644588870e-7, 2.04426310338993978564e-15]

function poly7 (c: readonly number[], r: number): number {
  return (((((((c[7]! * r + c[6]!) * r + c[5]!) * r + c[4]!) * r + c[3]!) * r + c[2]!) * r + c[1]!) * r + c[0]!)
}

/** The standard normal quantile (inverse CDF) of p in (0, 1), AS 241 PPND16 with log64. */
export function normalQuantile (p: number): number {
  const q = p - 0.5
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q
    return q * poly7(A, r) / poly7(B, r)
  }
  let r = q < 0 ? p : 1 - p
  if (r <= 0) return q < 0 ? -Infinity : Infinity
  r = Math.sqrt(-log64(r))
  let v: number
  if (r <= 5) {
    r -= 1.6
    v = poly7(C, r) / poly7(D, r)
  } else {
    r -= 5
    v = poly7(E, r) / poly7(F, r)
  }
  return q < 0 ? -v : v
}
