/**
 * fdlibm's double-precision `exp` (e_exp.c), ported line by line; its `log` is log64 in
 * src/random/float64.ts.
 *
 * Why our own port: the truncated-normal sampler must give the same bits on every host and every
 * Node version, and `Math.exp` is "implementation-approximated" by the ECMAScript spec. V8 has
 * used fdlibm ports, but current V8 (src/base/ieee754.cc) already routes `log` to LLVM libc, so
 * Math.* bits can change between V8 versions. This port uses only IEEE basic operations
 * (+, -, *, /) and bit manipulation, which are exactly specified, so its results are identical
 * everywhere. It is accurate to < 1 ulp (fdlibm's documented bound).
 *
 * Little-endian host assumed (every platform Node runs on): word 1 of a Float64Array element
 * viewed as 32-bit words is the high word.
 */

const f64 = new Float64Array(1)
const u32 = new Uint32Array(f64.buffer)

const LN2_HI = 6.93147180369123816490e-01 // 0x3fe62e42 fee00000
const LN2_LO = 1.90821492927058770002e-10 // 0x3dea39ef 35793c76
const O_THRESHOLD = 7.09782712893383973096e+02 // 0x40862E42 FEFA39EF
const U_THRESHOLD = -7.45133219101941108420e+02 // 0xc0874910 D52D3051
const INVLN2 = 1.44269504088896338700e+00 // 0x3ff71547 652b82fe
const P1 = 1.66666666666666019037e-01 // 0x3FC55555 5555553E
const P2 = -2.77777777770155933842e-03 // 0xBF66C16C 16BEBD93
const P3 = 6.61375632143793436117e-05 // 0x3F11566A AF25DE2C
const P4 = -1.65339022054652515390e-06 // 0xBEBBBD41 C5D26BF1
const P5 = 4.13813679705723846039e-08 // 0x3E663769 72BEA4D0
const TWOM1000 = 9.33263618503218878990e-302 // 2^-1000

/** 2^k for an integer k in [-1022, 1023], built from its bits (exact, no pow()). */
function twoTo (k: number): number {
  u32[0] = 0
  u32[1] = (0x3ff + k) << 20
  return f64[0]!
}

/**
 * Exponential (fdlibm __ieee754_exp): x = k*ln2 + r with |r| <= ln2/2 (r = hi - lo),
 * exp(r) = 1 + r + r*c/(2 - c) with c from a degree-5 Remez polynomial in r^2, then * 2^k.
 */
export function exp (xIn: number): number {
  let x = xIn
  f64[0] = x
  let hx = u32[1]!
  const xsb = hx >>> 31 // sign bit of x
  hx &= 0x7fffffff // high word of |x|
  if (hx >= 0x40862e42) { // |x| >= 709.78...
    if (hx >= 0x7ff00000) {
      if (((hx & 0xfffff) | u32[0]!) !== 0) return x + x // NaN
      return xsb === 0 ? x : 0 // exp(+-inf) = {inf, 0}
    }
    if (x > O_THRESHOLD) return Infinity
    if (x < U_THRESHOLD) return 0
  }
  let hi = 0
  let lo = 0
  let k = 0
  if (hx > 0x3fd62e42) { // |x| > 0.5 ln2
    if (hx < 0x3ff0a2b2) { // and |x| < 1.5 ln2
      hi = xsb === 0 ? x - LN2_HI : x + LN2_HI
      lo = xsb === 0 ? LN2_LO : -LN2_LO
      k = 1 - xsb - xsb
    } else {
      k = Math.trunc(INVLN2 * x + (xsb === 0 ? 0.5 : -0.5)) // C's (int) cast truncates
      hi = x - k * LN2_HI // exact: k*LN2_HI has trailing zeros
      lo = k * LN2_LO
    }
    x = hi - lo
  } else if (hx < 0x3e300000) { // |x| < 2^-28
    return 1 + x
  }
  const t = x * x
  const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))))
  if (k === 0) return 1 - ((x * c) / (c - 2.0) - x)
  const y = 1 - ((lo - (x * c) / (2.0 - c)) - hi)
  if (k >= -1021) {
    if (k === 1024) return y * 2.0 * twoTo(1023)
    return y * twoTo(k)
  }
  return y * twoTo(k + 1000) * TWOM1000
}
