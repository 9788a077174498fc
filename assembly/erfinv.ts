import { logf4, LOGF_HI } from './logf'

/**
 * MLX's float32 erfinv (spec b.9) over a block of float32 inputs.
 *
 * Every fmaf of the polynomial is evaluated as fround(p * t + c) in double: p * t is exact in
 * double, and spec b.9 shows exhaustively that this gives the same erfinv as fmaf for every
 * float32 in [-1, 1]; the same holds for the first step t = fmaf(a, -a, 1).
 *
 * Horner's rule is a chain of dependent steps (multiply, add, round to float32 and back: about
 * 15 cycles each), so the block is evaluated step by step over all its elements: every step is
 * then a run of independent operations and the chain latency disappears.
 */

/** A float32 coefficient (spec b.9 bit patterns) as a double. */
function c32 (bits: u32): f64 { return <f64>reinterpret<f32>(bits) }

/** Round both double lanes to float32 and back (RN32). */
function fround2 (v: v128): v128 {
  return f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(v))
}

/** Two f64x2 halves back to one f32x4 (values already float32). */
function pack (lo: v128, hi: v128): v128 {
  return i64x2.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 2)
}

/** p = fround(p * t + c) over n doubles at P, with t at T. */
function hornerStep (P: usize, T: usize, n: u32, c: f64): void {
  const cv = f64x2.splat(c)
  const bytes = <usize>n << 3
  for (let o: usize = 0; o < bytes; o += 32) {
    v128.store(P + o, fround2(f64x2.add(f64x2.mul(v128.load(P + o), v128.load(T + o)), cv)))
    v128.store(P + o, fround2(f64x2.add(f64x2.mul(v128.load(P + o, 16), v128.load(T + o, 16)), cv)), 16)
  }
}

function stepSel (p: v128, t: v128, big: f64, small: f64, mask: v128): v128 {
  return fround2(f64x2.add(f64x2.mul(p, t), v128.bitselect(f64x2.splat(big), f64x2.splat(small), mask)))
}

/**
 * The polynomial for two lanes with a per-lane branch choice (mask set: |t| > 6.125). The
 * 9-coefficient branch runs as 10 steps from p = 0: fround(0 * t + c0) = c0 exactly (t is
 * finite), so both branches share the same steps.
 */
function polyMixed (t: v128, m: v128): v128 {
  let p = v128.bitselect(f64x2.splat(0), f64x2.splat(c32(0x31bae000)), m)
  p = stepSel(p, t, c32(0x2fa6f5a2), c32(0x3419da01), m)
  p = stepSel(p, t, c32(0x32fbe4d7), c32(0x35a4c919), m)
  p = stepSel(p, t, c32(0x35a3f289), c32(0x33f29669), m)
  p = stepSel(p, t, c32(0x37ee53ef), c32(0xb86b85e8), m)
  p = stepSel(p, t, c32(0x39ce55c9), c32(0xb91adf48), m)
  p = stepSel(p, t, c32(0x3b46606f), c32(0x3b17b200), m)
  p = stepSel(p, t, c32(0x3b9e5490), c32(0x3c3d0f28), m)
  p = stepSel(p, t, c32(0xbe877fb3), c32(0xbe6d9577), m)
  return stepSel(p, t, c32(0x3f570b52), c32(0x3f62dfc4), m)
}

/**
 * erfinv of n float32 values at A (n a multiple of 8, |a| < 1) into OUT as float32.
 * T and P are scratch areas of n doubles each; BIG holds up to n / 4 u32 group indices.
 */
export function erfinvBlock (A: usize, OUT: usize, n: u32, T: usize, P: usize, BIG: usize): void {
  const one = f64x2.splat(1.0)
  const limit = f64x2.splat(-6.125)
  const p0 = f64x2.splat(c32(0x31bae000))
  let nbig: u32 = 0
  // t = fmaf(a, -a, 1) = fround(1 - a*a), then t = logf(t) (spec b.9, b.10)
  for (let q: u32 = 0; q < n; q += 4) {
    const a = v128.load(A + (<usize>q << 2))
    const al = f64x2.promote_low_f32x4(a)
    const ah = f64x2.promote_low_f32x4(i64x2.shuffle(a, a, 1, 1))
    const t = pack(f64x2.sub(one, f64x2.mul(al, al)), f64x2.sub(one, f64x2.mul(ah, ah)))
    const ll = logf4(t)
    const lh = LOGF_HI
    const o = <usize>q << 3
    v128.store(T + o, ll)
    v128.store(T + o, lh, 16)
    v128.store(P + o, p0)
    v128.store(P + o, p0, 16)
    // |t| > 6.125 (t <= 0) picks the other polynomial: rare (|a| > 0.9989, about 0.1 %),
    // so those groups are redone afterwards instead of selecting in every step.
    if (v128.any_true(v128.or(f64x2.lt(ll, limit), f64x2.lt(lh, limit)))) {
      store<u32>(BIG + (<usize>nbig << 2), q)
      nbig++
    }
  }
  hornerStep(P, T, n, c32(0x3419da01))
  hornerStep(P, T, n, c32(0x35a4c919))
  hornerStep(P, T, n, c32(0x33f29669))
  hornerStep(P, T, n, c32(0xb86b85e8))
  hornerStep(P, T, n, c32(0xb91adf48))
  hornerStep(P, T, n, c32(0x3b17b200))
  hornerStep(P, T, n, c32(0x3c3d0f28))
  hornerStep(P, T, n, c32(0xbe6d9577))
  hornerStep(P, T, n, c32(0x3f62dfc4))
  for (let b: u32 = 0; b < nbig; b++) {
    const o = <usize>load<u32>(BIG + (<usize>b << 2)) << 3
    const tl = v128.load(T + o)
    const th = v128.load(T + o, 16)
    v128.store(P + o, polyMixed(tl, f64x2.lt(tl, limit)))
    v128.store(P + o, polyMixed(th, f64x2.lt(th, limit)), 16)
  }
  // RN32(a * p): one float32 multiply
  for (let q: u32 = 0; q < n; q += 4) {
    const o = <usize>q << 3
    const p = pack(v128.load(P + o), v128.load(P + o, 16))
    v128.store(OUT + (<usize>q << 2), f32x4.mul(v128.load(A + (<usize>q << 2)), p))
  }
}
