/**
 * Threefry-2x32 with 20 rounds (spec b.3) on sixteen counter pairs at a time (four v128 groups),
 * and MLX's `bits` counter layout (spec b.4) for any word range of a draw.
 *
 * All lanes are uint32 with wraparound, which is what i32x4.add computes. Word indices are u32:
 * a draw of this service never reaches 2^32 words (4 GiB of output at most), but it may pass
 * 2^31, so every comparison on indices is unsigned.
 */

const PARITY: u32 = 0x1BD11BDA

let K0: v128 = i32x4.splat(0)
let K1: v128 = i32x4.splat(0)
let K2: v128 = i32x4.splat(0)
let HALF: u32 = 0
let OFF: u32 = 0
let ODD: u32 = 0

/**
 * Selects the key and the size of the draw: W words, half = floor(W / 2), odd = W % 2
 * (spec b.4). Passing half and odd rather than W keeps W = 2^32 expressible in u32 arguments.
 */
export function setDraw (k0: u32, k1: u32, half: u32, odd: u32): void {
  K0 = i32x4.splat(k0)
  K1 = i32x4.splat(k1)
  K2 = i32x4.splat(k0 ^ k1 ^ PARITY)
  HALF = half
  ODD = odd
  OFF = half + odd
}

function rotl (v: v128, r: i32): v128 {
  // Rotations by whole bytes are one byte shuffle instead of two shifts and an or.
  if (r === 16) return i8x16.shuffle(v, v, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13)
  if (r === 24) return i8x16.shuffle(v, v, 1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12)
  return v128.or(i32x4.shl(v, r), i32x4.shr_u(v, 32 - r))
}

// Outputs of the last hash4: x and y of its four groups.
let XA: v128 = i32x4.splat(0)
let XB: v128 = i32x4.splat(0)
let XC: v128 = i32x4.splat(0)
let XD: v128 = i32x4.splat(0)
let YA: v128 = i32x4.splat(0)
let YB: v128 = i32x4.splat(0)
let YC: v128 = i32x4.splat(0)
let YD: v128 = i32x4.splat(0)

/**
 * H(key, counter) for four groups of four counter pairs (c0a, c1a) ... (c0d, c1d). The rounds of
 * one group depend on each other (about 3 cycles each); four independent groups keep the vector
 * units busy meanwhile (measured 1.5x the throughput of two groups), and their 8 state vectors
 * plus the key still fit in the 16 SIMD registers. Outputs go to XA..XD / YA..YD once, at the
 * end: globals are memory in V8, the rounds stay in registers. Rotations [13, 15, 26, 6] and
 * [17, 29, 16, 24] alternate over five groups of four rounds; after group s the key injection
 * adds ks[s % 3] to x and ks[(s + 1) % 3] + s to y (spec b.3).
 */
function hash4 (c0a: v128, c1a: v128, c0b: v128, c1b: v128, c0c: v128, c1c: v128, c0d: v128, c1d: v128): void {
  let xa = i32x4.add(c0a, K0)
  let xb = i32x4.add(c0b, K0)
  let xc = i32x4.add(c0c, K0)
  let xd = i32x4.add(c0d, K0)
  let ya = i32x4.add(c1a, K1)
  let yb = i32x4.add(c1b, K1)
  let yc = i32x4.add(c1c, K1)
  let yd = i32x4.add(c1d, K1)
  let t: v128
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); xc = i32x4.add(xc, yc); xd = i32x4.add(xd, yd)
  ya = v128.xor(rotl(ya, 13), xa); yb = v128.xor(rotl(yb, 13), xb); yc = v128.xor(rotl(yc, 13), xc); yd = v128.xor(rotl(yd, 13), xd)
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); xc = i32x4.add(xc, yc); xd = i32x4.add(xd, yd)
  ya = v128.xor(rotl(ya, 15), xa); yb = v128.xor(rotl(yb, 15), xb); yc = v128.xor(rotl(yc, 15), xc); yd = v128.xor(rotl(yd, 15), xd)
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); xc = i32x4.add(xc, yc); xd = i32x4.add(xd, yd)
  ya = v128.xor(rotl(ya, 26), xa); yb = v128.xor(rotl(yb, 26), xb); yc = v128.xor(rotl(yc, 26), xc); yd = v128.xor(rotl(yd, 26), xd)
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); xc = i32x4.add(xc, yc); xd = i32x4.add(xd, yd)
  ya = v128.xor(rotl(ya, 6), xa); yb = v128.xor(rotl(yb, 6), xb); yc = v128.xor(rotl(yc, 6), xc); yd = v128.xor(rotl(yd, 6), xd)
  t = i32x4.add(K2, i32x4.splat(1))
  xa = i32x4.add(xa, K1); xb = i32x4.add(xb, K1); xc = i32x4.add(xc, K1); xd = i32x4.add(xd, K1)
  ya = i32x4.add(ya, t); yb = i32x4.add(yb, t); yc = i32x4.add(yc, t); yd = i32x4.add(yd, t)
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); xc = i32x4.add(xc, yc); xd = i32x4.add(xd, yd)
  ya = v128.xor(rotl(ya, 17), xa); yb = v128.xor(rotl(yb, 17), xb); yc = v128.xor(rotl(yc, 17), xc); yd = v128.xor(rotl(yd, 17), xd)
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); xc = i32x4.add(xc, yc); xd = i32x4.add(xd, yd)
  ya = v128.xor(rotl(ya, 29), xa); yb = v128.xor(rotl(yb, 29), xb); yc = v128.xor(rotl(yc, 29), xc); yd = v128.xor(rotl(yd, 29), xd)
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); xc = i32x4.add(xc, yc); xd = i32x4.add(xd, yd)
  ya = v128.xor(rotl(ya, 16), xa); yb = v128.xor(rotl(yb, 16), xb); yc = v128.xor(rotl(yc, 16), xc); yd = v128.xor(rotl(yd, 16), xd)
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); xc = i32x4.add(xc, yc); xd = i32x4.add(xd, yd)
  ya = v128.xor(rotl(ya, 24), xa); yb = v128.xor(rotl(yb, 24), xb); yc = v128.xor(rotl(yc, 24), xc); yd = v128.xor(rotl(yd, 24), xd)
  t = i32x4.add(K0, i32x4.splat(2))
  xa = i32x4.add(xa, K2); xb = i32x4.add(xb, K2); xc = i32x4.add(xc, K2); xd = i32x4.add(xd, K2)
  ya = i32x4.add(ya, t); yb = i32x4.add(yb, t); yc = i32x4.add(yc, t); yd = i32x4.add(yd, t)
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); xc = i32x4.add(xc, yc); xd = i32x4.add(xd, yd)
  ya = v128.xor(rotl(ya, 13), xa); yb = v128.xor(rotl(yb, 13), xb); yc = v128.xor(rotl(yc, 13), xc); yd = v128.xor(rotl(yd, 13), xd)
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); xc = i32x4.add(xc, yc); xd = i32x4.add(xd, yd)
  ya = v128.xor(rotl(ya, 15), xa); yb = v128.xor(rotl(yb, 15), xb); yc = v128.xor(rotl(yc, 15), xc); yd = v128.xor(rotl(yd, 15), xd)
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); xc = i32x4.add(xc, yc); xd = i32x4.add(xd, yd)
  ya = v128.xor(rotl(ya, 26), xa); yb = v128.xor(rotl(yb, 26), xb); yc = v128.xor(rotl(yc, 26), xc); yd = v128.xor(rotl(yd, 26), xd)
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); xc = i32x4.add(xc, yc); xd = i32x4.add(xd, yd)
  ya = v128.xor(rotl(ya, 6), xa); yb = v128.xor(rotl(yb, 6), xb); yc = v128.xor(rotl(yc, 6), xc); yd = v128.xor(rotl(yd, 6), xd)
  t = i32x4.add(K1, i32x4.splat(3))
  xa = i32x4.add(xa, K0); xb = i32x4.add(xb, K0); xc = i32x4.add(xc, K0); xd = i32x4.add(xd, K0)
  ya = i32x4.add(ya, t); yb = i32x4.add(yb, t); yc = i32x4.add(yc, t); yd = i32x4.add(yd, t)
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); xc = i32x4.add(xc, yc); xd = i32x4.add(xd, yd)
  ya = v128.xor(rotl(ya, 17), xa); yb = v128.xor(rotl(yb, 17), xb); yc = v128.xor(rotl(yc, 17), xc); yd = v128.xor(rotl(yd, 17), xd)
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); xc = i32x4.add(xc, yc); xd = i32x4.add(xd, yd)
  ya = v128.xor(rotl(ya, 29), xa); yb = v128.xor(rotl(yb, 29), xb); yc = v128.xor(rotl(yc, 29), xc); yd = v128.xor(rotl(yd, 29), xd)
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); xc = i32x4.add(xc, yc); xd = i32x4.add(xd, yd)
  ya = v128.xor(rotl(ya, 16), xa); yb = v128.xor(rotl(yb, 16), xb); yc = v128.xor(rotl(yc, 16), xc); yd = v128.xor(rotl(yd, 16), xd)
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); xc = i32x4.add(xc, yc); xd = i32x4.add(xd, yd)
  ya = v128.xor(rotl(ya, 24), xa); yb = v128.xor(rotl(yb, 24), xb); yc = v128.xor(rotl(yc, 24), xc); yd = v128.xor(rotl(yd, 24), xd)
  t = i32x4.add(K2, i32x4.splat(4))
  xa = i32x4.add(xa, K1); xb = i32x4.add(xb, K1); xc = i32x4.add(xc, K1); xd = i32x4.add(xd, K1)
  ya = i32x4.add(ya, t); yb = i32x4.add(yb, t); yc = i32x4.add(yc, t); yd = i32x4.add(yd, t)
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); xc = i32x4.add(xc, yc); xd = i32x4.add(xd, yd)
  ya = v128.xor(rotl(ya, 13), xa); yb = v128.xor(rotl(yb, 13), xb); yc = v128.xor(rotl(yc, 13), xc); yd = v128.xor(rotl(yd, 13), xd)
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); xc = i32x4.add(xc, yc); xd = i32x4.add(xd, yd)
  ya = v128.xor(rotl(ya, 15), xa); yb = v128.xor(rotl(yb, 15), xb); yc = v128.xor(rotl(yc, 15), xc); yd = v128.xor(rotl(yd, 15), xd)
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); xc = i32x4.add(xc, yc); xd = i32x4.add(xd, yd)
  ya = v128.xor(rotl(ya, 26), xa); yb = v128.xor(rotl(yb, 26), xb); yc = v128.xor(rotl(yc, 26), xc); yd = v128.xor(rotl(yd, 26), xd)
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); xc = i32x4.add(xc, yc); xd = i32x4.add(xd, yd)
  ya = v128.xor(rotl(ya, 6), xa); yb = v128.xor(rotl(yb, 6), xb); yc = v128.xor(rotl(yc, 6), xc); yd = v128.xor(rotl(yd, 6), xd)
  t = i32x4.add(K0, i32x4.splat(5))
  xa = i32x4.add(xa, K2); xb = i32x4.add(xb, K2); xc = i32x4.add(xc, K2); xd = i32x4.add(xd, K2)
  ya = i32x4.add(ya, t); yb = i32x4.add(yb, t); yc = i32x4.add(yc, t); yd = i32x4.add(yd, t)
  XA = xa
  XB = xb
  XC = xc
  XD = xd
  YA = ya
  YB = yb
  YC = yc
  YD = yd
}

// Counters of one group of four word indices (spec b.4): word j < half is the x of pair
// (j, j + off); word j >= off is the y of pair (j - off, j); the middle word of an odd W is the
// x of pair (half, 0). counters() writes them to C0 / C1 and returns the lane mask "take y".
let C0: v128 = i32x4.splat(0)
let C1: v128 = i32x4.splat(0)

function counters (idx: v128): v128 {
  const off = i32x4.splat(OFF)
  const second = i32x4.ge_u(idx, off)
  const middle = v128.and(i32x4.eq(idx, i32x4.splat(HALF)), i32x4.splat(-ODD))
  C0 = v128.bitselect(i32x4.sub(idx, off), idx, second)
  C1 = v128.andnot(v128.bitselect(idx, i32x4.add(idx, off), second), middle)
  return second
}

/** Words per unit of fillWords. */
export const UNIT: u32 = 16

/**
 * Words [start, start + 16 * units) of the draw into dst (little-endian u32). Units that lie
 * wholly in one half take the direct counters; a unit that straddles the middle computes its
 * counters lane by lane. Words past the end of the draw are garbage and must not be used.
 */
export function fillWords (start: u32, units: u32, dst: usize): void {
  const i0 = i32x4(0, 1, 2, 3)
  const i1 = i32x4(4, 5, 6, 7)
  const i2 = i32x4(8, 9, 10, 11)
  const i3 = i32x4(12, 13, 14, 15)
  const off = i32x4.splat(OFF)
  for (let u: u32 = 0; u < units; u++) {
    const j = start + (u << 4)
    const p = dst + (<usize>u << 6)
    const s = i32x4.splat(j)
    const a = i32x4.add(s, i0)
    const b = i32x4.add(s, i1)
    const c = i32x4.add(s, i2)
    const d = i32x4.add(s, i3)
    // j + 16 may wrap past 2^32 near the end of a large draw: compare against HALF - 16 instead
    if (HALF >= UNIT && j <= HALF - UNIT) {
      inline.always(hash4(a, i32x4.add(a, off), b, i32x4.add(b, off), c, i32x4.add(c, off), d, i32x4.add(d, off)))
      v128.store(p, XA)
      v128.store(p, XB, 16)
      v128.store(p, XC, 32)
      v128.store(p, XD, 48)
    } else if (j >= OFF) {
      inline.always(hash4(i32x4.sub(a, off), a, i32x4.sub(b, off), b, i32x4.sub(c, off), c, i32x4.sub(d, off), d))
      v128.store(p, YA)
      v128.store(p, YB, 16)
      v128.store(p, YC, 32)
      v128.store(p, YD, 48)
    } else {
      const sa = counters(a)
      const c0a = C0
      const c1a = C1
      const sb = counters(b)
      const c0b = C0
      const c1b = C1
      const sc = counters(c)
      const c0c = C0
      const c1c = C1
      const sd = counters(d)
      hash4(c0a, c1a, c0b, c1b, c0c, c1c, C0, C1)
      v128.store(p, v128.bitselect(YA, XA, sa))
      v128.store(p, v128.bitselect(YB, XB, sb), 16)
      v128.store(p, v128.bitselect(YC, XC, sc), 32)
      v128.store(p, v128.bitselect(YD, XD, sd), 48)
    }
  }
}
