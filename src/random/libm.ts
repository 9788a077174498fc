import { f32Bits, f32FromBits } from './half-conversion.ts'
import { hexFloat } from './hexfloat.ts'

/**
 * The libm pieces MLX's Linux CPU build depends on, reproduced bit for bit:
 * exact fused multiply-adds (float32 and double), glibc 2.27+ `logf` (spec b.10) and `expf`
 * (spec b.11), both the "optimized-routines" algorithms glibc 2.36 ships.
 *
 * This module assumes a little-endian host (every platform Node runs on today).
 */

const f64 = new Float64Array(1)
const w64 = new Uint32Array(f64.buffer) // [low word, high word] on little-endian hosts

// ---------------------------------------------------------------------------------------------
// Exact fused multiply-add

/**
 * fmaf(a, b, c) for float32 a, b, c, correctly rounded (spec b.9).
 * a*b is exact in double; s = a*b + c rounds once in double and can land exactly on a float32
 * midpoint that the exact sum is not on. TwoSum gives the error e; in that case round toward e.
 */
export function fmaf (a: number, b: number, c: number): number {
  const p = a * b
  const s = p + c
  const r = Math.fround(s)
  if (r === s) return r
  const bb = s - p
  const e = (p - (s - bb)) + (c - bb)
  if (e === 0) return r
  // s is a float32 midpoint exactly when mirroring r across s gives the other float32 neighbour.
  const o = s + (s - r)
  if (Math.fround(o) !== o) return r
  const hi = r > o ? r : o
  const lo = r > o ? o : r
  return e > 0 ? hi : lo
}

const SPLITTER = 134217729 // 2^27 + 1, Veltkamp split of a double into two 26-bit halves

/**
 * fma(a, b, c) for doubles, correctly rounded: Boldo & Melquiond, "Emulation of FMA and correctly
 * rounded sums: proved algorithms using rounding to odd" (IEEE TC 2008): exact product (Dekker),
 * TwoSum with c, round-to-odd of the two low parts, then one rounding to nearest.
 * Valid away from overflow and the subnormal range, which is all glibc's expf/logf need.
 */
export function fma (a: number, b: number, c: number): number {
  // Dekker TwoProduct: ph + pl = a * b exactly.
  const ph = a * b
  let t = SPLITTER * a
  const ahi = t - (t - a)
  const alo = a - ahi
  t = SPLITTER * b
  const bhi = t - (t - b)
  const blo = b - bhi
  const pl = ((ahi * bhi - ph) + ahi * blo + alo * bhi) + alo * blo
  // TwoSum: th + tl = c + ph exactly.
  const th = c + ph
  const z = th - c
  const tl = (c - (th - z)) + (ph - z)
  return th + addRoundToOdd(tl, pl)
}

/** x + y rounded to odd: the rounded-to-nearest sum, moved to its odd neighbour when inexact and even. */
function addRoundToOdd (x: number, y: number): number {
  const s = x + y
  const z = s - x
  const e = (x - (s - z)) + (y - z)
  if (e === 0) return s
  f64[0] = s
  if ((w64[0]! & 1) === 1) return s
  // Step one ulp toward the exact value x + y = s + e.
  const awayFromZero = (e > 0) === (s > 0)
  let lo = w64[0]!
  let hi = w64[1]!
  if (awayFromZero) {
    lo = (lo + 1) >>> 0
    if (lo === 0) hi = (hi + 1) >>> 0
  } else {
    if (lo === 0) hi = (hi - 1) >>> 0
    lo = (lo - 1) >>> 0
  }
  w64[0] = lo
  w64[1] = hi
  return f64[0]!
}

// ---------------------------------------------------------------------------------------------
// glibc logf (sysdeps/ieee754/flt-32/e_logf.c, 2.27+), spec b.10

const LN2 = hexFloat('0x1.62e42fefa39efp-1')
const LOG_A0 = hexFloat('-0x1.00ea348b88334p-2')
const LOG_A1 = hexFloat('0x1.5575b0be00b6ap-2')
const LOG_A2 = hexFloat('-0x1.ffffef20a4123p-2')
const LOG_INVC = new Float64Array([
  '0x1.661ec79f8f3bep+0', '0x1.571ed4aaf883dp+0', '0x1.49539f0f010bp+0', '0x1.3c995b0b80385p+0',
  '0x1.30d190c8864a5p+0', '0x1.25e227b0b8eap+0', '0x1.1bb4a4a1a343fp+0', '0x1.12358f08ae5bap+0',
  '0x1.0953f419900a7p+0', '0x1p+0', '0x1.e608cfd9a47acp-1', '0x1.ca4b31f026aap-1',
  '0x1.b2036576afce6p-1', '0x1.9c2d163a1aa2dp-1', '0x1.886e6037841edp-1', '0x1.767dcf5534862p-1'
].map(hexFloat))
const LOG_LOGC = new Float64Array([
  '-0x1.57bf7808caadep-2', '-0x1.2bef0a7c06ddbp-2', '-0x1.01eae7f513a67p-2', '-0x1.b31d8a68224e9p-3',
  '-0x1.6574f0ac07758p-3', '-0x1.1aa2bc79c81p-3', '-0x1.a4e76ce8c0e5ep-4', '-0x1.1973c5a611cccp-4',
  '-0x1.252f438e10c1ep-5', '0x0p+0', '0x1.aa5aa5df25984p-5', '0x1.c5e53aa362eb4p-4',
  '0x1.526e57720db08p-3', '0x1.bc2860d22477p-3', '0x1.1058bc8a07ee1p-2', '0x1.4043057b6ee09p-2'
].map(hexFloat))
const TWO_23 = 2 ** 23

/**
 * glibc 2.36 `logf`. glibc's x86-64 FMA build fuses five multiply-adds; evaluating them unfused
 * in plain double gives the identical float32 for every normal input (exhaustively checked, spec
 * b.10 "Exhaustive result 2"), so this uses plain double arithmetic. Subnormal inputs take
 * glibc's rescale branch (x * 2^23, exponent corrected) before the same evaluation.
 */
export function logf (x: number): number {
  let ix = f32Bits(x)
  if (ix === 0x3f800000) return 0
  if (((ix - 0x00800000) >>> 0) >= 0x7f000000) {
    // subnormal, zero, negative, inf or nan
    if ((ix & 0x7fffffff) === 0) return -Infinity
    if (ix === 0x7f800000) return Infinity
    if ((ix & 0x80000000) !== 0 || (ix & 0x7fffffff) > 0x7f800000) return NaN
    ix = (f32Bits(Math.fround(f32FromBits(ix) * TWO_23)) - (23 << 23)) >>> 0
  }
  const tmp = (ix - 0x3f330000) >>> 0
  const i = (tmp >>> 19) & 15
  const k = (tmp | 0) >> 23
  const z = f32FromBits((ix - (tmp & 0xff800000)) >>> 0)
  const r = z * LOG_INVC[i]! - 1
  const y0 = LOG_LOGC[i]! + k * LN2
  const r2 = r * r
  let y = LOG_A1 * r + LOG_A2
  y = LOG_A0 * r2 + y
  y = y * r2 + (y0 + r)
  return Math.fround(y)
}

// ---------------------------------------------------------------------------------------------
// glibc expf (sysdeps/ieee754/flt-32/e_expf.c, 2.27+), spec b.11

const EXP_N = 32
const INV_LN2_N = hexFloat('0x1.71547652b82fep+0') * EXP_N
const SHIFT = hexFloat('0x1.8p+52')
const EXP_C0 = hexFloat('0x1.c6af84b912394p-5') / (EXP_N * EXP_N * EXP_N)
const EXP_C1 = hexFloat('0x1.ebfce50fac4f3p-3') / (EXP_N * EXP_N)
const EXP_C2 = hexFloat('0x1.62e42ff0c52d6p-1') / EXP_N
/** 2^(i/32) as [low word, high word] pairs, glibc's __exp2f_data.tab with the i<<47 bias removed. */
const EXP_TAB = new Uint32Array([
  '3ff0000000000000', '3fefd9b0d3158574', '3fefb5586cf9890f', '3fef9301d0125b51',
  '3fef72b83c7d517b', '3fef54873168b9aa', '3fef387a6e756238', '3fef1e9df51fdee1',
  '3fef06fe0a31b715', '3feef1a7373aa9cb', '3feedea64c123422', '3feece086061892d',
  '3feebfdad5362a27', '3feeb42b569d4f82', '3feeab07dd485429', '3feea47eb03a5585',
  '3feea09e667f3bcd', '3fee9f75e8ec5f74', '3feea11473eb0187', '3feea589994cce13',
  '3feeace5422aa0db', '3feeb737b0cdc5e5', '3feec49182a3f090', '3feed503b23e255d',
  '3feee89f995ad3ad', '3feeff76f2fb5e47', '3fef199bdd85529c', '3fef3720dcef9069',
  '3fef5818dcfba487', '3fef7c97337b9b5f', '3fefa4afa2a490da', '3fefd0765b6e4540'
].flatMap((hex) => [parseInt(hex.slice(8), 16), parseInt(hex.slice(0, 8), 16)]))
const EXPF_OFLOW = f32FromBits(0x42b17217) // 0x1.62e42ep6f: above it exp overflows float32
const EXPF_UFLOW = f32FromBits(0xc2cff1b4) // -0x1.9fe368p6f: below it exp underflows to 0

/**
 * glibc 2.36 `expf`, x86-64 FMA build. Unlike logf, the fusions matter here: the compiler turns
 * `kd = z + SHIFT` and `r = z - kd` (with z = InvLn2N * x never rounded) into fmas; ignoring that
 * gives one wrong result in [-104, 89] (spec b.11), so they use the exact double fma.
 */
export function expf (x: number): number {
  const bits = f32Bits(x)
  const abstop = (bits >>> 20) & 0x7ff
  if (abstop >= 0x42b) {
    // |x| >= 88 or nan
    if (bits === 0xff800000) return 0
    if (abstop >= 0x7f8) return x + x
    if (x > EXPF_OFLOW) return Infinity
    if (x < EXPF_UFLOW) return 0
  }
  const xd = Math.fround(x)
  let kd = fma(INV_LN2_N, xd, SHIFT)
  f64[0] = kd
  const kiLow = w64[0]!
  kd -= SHIFT
  const r = fma(INV_LN2_N, xd, -kd)
  // t = T[ki % N] + (ki << 47): only ki's low 17 bits reach the high word.
  const j = kiLow % EXP_N
  w64[0] = EXP_TAB[2 * j]!
  w64[1] = (EXP_TAB[2 * j + 1]! + ((kiLow & 0x1ffff) << 15)) >>> 0
  const s = f64[0]!
  const z = fma(EXP_C0, r, EXP_C1)
  const r2 = r * r
  let y = fma(EXP_C2, r, 1)
  y = fma(z, r2, y)
  y = y * s
  return Math.fround(y)
}
