import { f32FromBits } from './half-conversion.ts'
import { expf, fmaf, logf } from './libm.ts'

/**
 * MLX's float32 erf / erfinv kernels. Inputs and outputs are float32 values held in JS numbers.
 * Constants are given by their float32 bit patterns (spec b.9 / b.11, and MLX v0.32
 * mlx/backend/cpu/simd/math.h), so no decimal -> double -> float double rounding can creep in.
 */

const f = (bits: number[]): number[] => bits.map(f32FromBits)

// erfinv (njuffa's erfinvf; the same coefficients in every MLX version and backend, spec b.9)
const [P0, P1, P2, P3, P4, P5, P6, P7, P8] = f([
  0x2fa6f5a2, 0x32fbe4d7, 0x35a3f289, 0x37ee53ef, 0x39ce55c9, 0x3b46606f, 0x3b9e5490, 0xbe877fb3, 0x3f570b52
]) as [number, number, number, number, number, number, number, number, number]
const [Q0, Q1, Q2, Q3, Q4, Q5, Q6, Q7, Q8, Q9] = f([
  0x31bae000, 0x3419da01, 0x35a4c919, 0x33f29669, 0xb86b85e8, 0xb91adf48, 0x3b17b200, 0x3c3d0f28, 0xbe6d9577, 0x3f62dfc4
]) as [number, number, number, number, number, number, number, number, number, number]
const ERFINV_SPLIT = 6.125

/**
 * MLX `erfinv` on a float32 (spec b.9): t = log(fmaf(a, -a, 1)) with glibc logf, a Horner
 * polynomial of float32 fmas, then a * p. Every fmaf here is written as fround(x*y + z): for this
 * polynomial that was shown exhaustively to equal the correctly rounded fmaf for all float32 in
 * [-1, 1] (spec b.9 "Exhaustive result"), and it is several times faster than the exact fmaf.
 * The first step is exact anyway: a*a has 48 bits and 1 - a*a fits a double.
 */
export function erfinvF32 (a: number): number {
  const t = logf(Math.fround(1 - a * a))
  let p: number
  if (t < -ERFINV_SPLIT || t > ERFINV_SPLIT) {
    p = P0
    p = Math.fround(p * t + P1)
    p = Math.fround(p * t + P2)
    p = Math.fround(p * t + P3)
    p = Math.fround(p * t + P4)
    p = Math.fround(p * t + P5)
    p = Math.fround(p * t + P6)
    p = Math.fround(p * t + P7)
    p = Math.fround(p * t + P8)
  } else {
    p = Q0
    p = Math.fround(p * t + Q1)
    p = Math.fround(p * t + Q2)
    p = Math.fround(p * t + Q3)
    p = Math.fround(p * t + Q4)
    p = Math.fround(p * t + Q5)
    p = Math.fround(p * t + Q6)
    p = Math.fround(p * t + Q7)
    p = Math.fround(p * t + Q8)
    p = Math.fround(p * t + Q9)
  }
  return Math.fround(a * p)
}

// MLX 0.13 fast_erf (mlx/backend/common/ops.h at e6fecbb3, spec b.11)
const [EB0, EB1, EB2, EB3, EB4, EB5, EB6] = f([
  0xb7910000, 0x39c8e7d9, 0xbb7e8a1c, 0x3cc6b1a1, 0xbddaae5c, 0xbf228550, 0xbe03ce86
]) as [number, number, number, number, number, number, number]
const [ES0, ES1, ES2, ES3, ES4, ES5] = f([
  0xba1c7000, 0x3ba38d2c, 0xbcdb48d9, 0x3de70e22, 0xbec09380, 0x3e0375d4
]) as [number, number, number, number, number, number]
const ERF_SPLIT = f32FromBits(0x3f6d8000) // 0.927734375

/**
 * MLX 0.13 `erf` (fast_erf, spec b.11), exact fmaf throughout because it feeds glibc expf,
 * whose result is sensitive to every bit of its argument. Only the two truncated-normal bounds
 * per call go through it, so speed does not matter.
 */
export function erfMlx013 (a: number): number {
  const t = Math.abs(a)
  const s = Math.fround(a * a)
  let r: number
  if (t > ERF_SPLIT) {
    r = fmaf(EB0, t, EB1)
    const u = fmaf(EB2, t, EB3)
    r = fmaf(r, s, u)
    r = fmaf(r, t, EB4)
    r = fmaf(r, t, EB5)
    r = fmaf(r, t, EB6)
    r = fmaf(r, t, -t)
    r = Math.fround(1 - expf(r))
    r = (a < 0 || Object.is(a, -0)) ? -Math.abs(r) : Math.abs(r) // copysign(r, a)
  } else {
    r = ES0
    r = fmaf(r, s, ES1)
    r = fmaf(r, s, ES2)
    r = fmaf(r, s, ES3)
    r = fmaf(r, s, ES4)
    r = fmaf(r, s, ES5)
    r = fmaf(r, a, a)
  }
  return r
}

// MLX 0.32 CPU erf and its SIMD exp (mlx/backend/cpu/simd/math.h, spec b.13)
const [AS_P, AS_1, AS_2, AS_3, AS_4, AS_5] = f([
  0x3ea7ba05, 0x3f87dc22, 0xbfba00e3, 0x3fb5f0e3, 0xbe91a98e, 0x3e827906
]) as [number, number, number, number, number, number] // 0.3275911, 1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592
const LOG2E_F = f32FromBits(0x3fb8aa3b) // 1.442695f
const [X0, X1, X2, X3, X4, X5] = f([
  0x3920fdde, 0x3aaf9f29, 0x3c1d96a6, 0x3d635774, 0x3e75fdee, 0x3f317218
]) as [number, number, number, number, number, number]

const scratchF = new Float32Array(1)
const scratchI = new Int32Array(scratchF.buffer)

/**
 * MLX 0.32's own float32 `exp` (Cephes-style 2^x split, simd/math.h), scalar path `Simd<float, 1>`.
 * Literal details that change bits: `x + 0.5` adds a *double* 0.5 (the Simd<float,1> + double
 * operator promotes), so floor runs in double before the result is stored back as float; the
 * polynomial steps are std::fma (correctly rounded); the 2^ipart factor is built by shifting
 * (ipart + 127) into the exponent field; |x| > 88 short-circuits to inf / 0 afterwards.
 */
export function expMlx032 (xIn: number): number {
  const x0 = Math.fround(xIn)
  const x = Math.fround(x0 * LOG2E_F)
  const ipart = Math.fround(Math.floor(x + 0.5))
  const fpart = Math.fround(x - ipart)
  let p = X0
  p = fmaf(p, fpart, X1)
  p = fmaf(p, fpart, X2)
  p = fmaf(p, fpart, X3)
  p = fmaf(p, fpart, X4)
  p = fmaf(p, fpart, X5)
  p = fmaf(p, fpart, 1)
  let result: number
  if (Number.isNaN(x0)) {
    result = x0
  } else {
    // Simd<int>(ipart) truncates; for |x0| <= 88 ipart is a small integer, larger ones are replaced below.
    scratchI[0] = ((ipart | 0) + 127) << 23
    result = Math.fround(scratchF[0]! * p)
  }
  if (x0 > 88) result = Infinity
  if (x0 < -88) result = 0
  return result
}

/**
 * MLX 0.32 CPU `erf` (Abramowitz-Stegun 7.1.26 as in PyTorch's vectorized erf, spec b.13):
 * t = 1 / fma(p, |v|, 1); r = Horner of fmas in t; e = -exp(-v*v) with MLX's own exp;
 * result = fma(e*t, r, 1), negated unless v > 0 (so erf(0) is -(1 - t*r*...), as MLX computes it).
 */
export function erfMlx032 (v: number): number {
  const av = Math.abs(v)
  const t = Math.fround(1 / fmaf(AS_P, av, 1))
  let r = fmaf(AS_1, t, AS_2)
  r = fmaf(r, t, AS_3)
  r = fmaf(r, t, AS_4)
  r = fmaf(r, t, AS_5)
  const e = -expMlx032(Math.fround(-v * v))
  const result = fmaf(Math.fround(e * t), r, 1)
  return v > 0 ? result : -result
}
