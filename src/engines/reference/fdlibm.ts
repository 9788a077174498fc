/**
 * fdlibm's double-precision `log` (e_log.c) and `exp` (e_exp.c), ported line by line.
 *
 * Why our own ports: the truncated-normal sampler must give the same bits on every host and every
 * Node version, and `Math.log`/`Math.exp` are "implementation-approximated" by the ECMAScript
 * spec. V8 used fdlibm ports for both for years, but current V8 (src/base/ieee754.cc) routes
 * `log` to LLVM libc, so Math.log changed bits between V8 versions. These ports use only IEEE
 * basic operations (+, -, *, /) and bit manipulation, which are exactly specified, so their
 * results are identical everywhere. Both are accurate to < 1 ulp (fdlibm's documented bound).
 *
 * Little-endian host assumed (every platform Node runs on): word 1 of a Float64Array element
 * viewed as 32-bit words is the high word.
 */

const f64 = new Float64Array(1)
const i32 = new Int32Array(f64.buffer)
const u32 = new Uint32Array(f64.buffer)

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
 * Natural logarithm (fdlibm __ieee754_log): x = 2^k (1 + f) with sqrt(2)/2 < 1 + f < sqrt(2),
 * log(1 + f) = f - s*(f - R) with s = f / (2 + f) and a Remez polynomial R(s^2).
 */
export function log (xIn: number): number {
  let x = xIn
  f64[0] = x
  let hx = i32[1]!
  const lx = u32[0]!
  let k = 0
  if (hx < 0x00100000) { // x < 2^-1022
    if (((hx & 0x7fffffff) | lx) === 0) return -Infinity // log(+-0) = -inf
    if (hx < 0) return NaN // log(negative) = NaN
    k -= 54
    x *= TWO54 // subnormal: scale up
    f64[0] = x
    hx = i32[1]!
  }
  if (hx >= 0x7ff00000) return x + x
  k += (hx >> 20) - 1023
  hx &= 0x000fffff
  let i = (hx + 0x95f64) & 0x100000
  i32[1] = hx | (i ^ 0x3ff00000) // normalize x or x/2 (f64[0] holds x, so the low word is kept)
  x = f64[0]!
  k += i >> 20
  const f = x - 1.0
  if ((0x000fffff & (2 + hx)) < 3) { // |f| < 2^-20
    if (f === 0) {
      if (k === 0) return 0
      return k * LN2_HI + k * LN2_LO
    }
    // eslint-disable-next-line @typescript-eslint/no-loss-of-precision -- fdlibm's literal, = 1/3 as a double
    const r = f * f * (0.5 - 0.33333333333333333 * f)
    if (k === 0) return f - r
    return k * LN2_HI - ((r - k * LN2_LO) - f)
  }
  const s = f / (2.0 + f)
  const dk = k
  const z = s * s
  i = hx - 0x6147a
  const w = z * z
  const j = 0x6b851 - hx
  const t1 = w * (LG2 + w * (LG4 + w * LG6))
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)))
  i |= j
  const r = t2 + t1
  if (i > 0) {
    const hfsq = 0.5 * f * f
    if (k === 0) return f - (hfsq - s * (hfsq + r))
    return dk * LN2_HI - ((hfsq - (s * (hfsq + r) + dk * LN2_LO)) - f)
  }
  if (k === 0) return f - s * (f - r)
  return dk * LN2_HI - ((s * (f - r) - dk * LN2_LO) - f)
}

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
