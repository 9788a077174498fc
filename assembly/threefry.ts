/**
 * Threefry-2x32 with 20 rounds (spec b.3) on four counter pairs per v128, and MLX's `bits`
 * counter layout (spec b.4) for any word range of a draw.
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

/** The y outputs of the last `hash`, and the x/y of its second group for `hash2`. */
let YA: v128 = i32x4.splat(0)
let XB: v128 = i32x4.splat(0)
let YB: v128 = i32x4.splat(0)

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

let XA: v128 = i32x4.splat(0)

/**
 * H(key, counter) for two groups of four counter pairs (c0a, c1a) and (c0b, c1b); interleaving
 * two independent groups overlaps the latency of the dependent rounds. The x outputs land in
 * XA / XB, the y outputs in YA / YB (written once, at the end: globals are memory in V8, the
 * rounds stay in registers). Rotations [13, 15, 26, 6] and [17, 29, 16, 24] alternate over five
 * groups of four rounds; after group s the key injection adds ks[s % 3] to x and
 * ks[(s + 1) % 3] + s to y (spec b.3).
 */
function hash2 (c0a: v128, c1a: v128, c0b: v128, c1b: v128): void {
  let xa = i32x4.add(c0a, K0)
  let ya = i32x4.add(c1a, K1)
  let xb = i32x4.add(c0b, K0)
  let yb = i32x4.add(c1b, K1)
  let t: v128
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); ya = v128.xor(rotl(ya, 13), xa); yb = v128.xor(rotl(yb, 13), xb)
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); ya = v128.xor(rotl(ya, 15), xa); yb = v128.xor(rotl(yb, 15), xb)
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); ya = v128.xor(rotl(ya, 26), xa); yb = v128.xor(rotl(yb, 26), xb)
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); ya = v128.xor(rotl(ya, 6), xa); yb = v128.xor(rotl(yb, 6), xb)
  xa = i32x4.add(xa, K1); xb = i32x4.add(xb, K1); t = i32x4.add(K2, i32x4.splat(1)); ya = i32x4.add(ya, t); yb = i32x4.add(yb, t)
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); ya = v128.xor(rotl(ya, 17), xa); yb = v128.xor(rotl(yb, 17), xb)
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); ya = v128.xor(rotl(ya, 29), xa); yb = v128.xor(rotl(yb, 29), xb)
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); ya = v128.xor(rotl(ya, 16), xa); yb = v128.xor(rotl(yb, 16), xb)
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); ya = v128.xor(rotl(ya, 24), xa); yb = v128.xor(rotl(yb, 24), xb)
  xa = i32x4.add(xa, K2); xb = i32x4.add(xb, K2); t = i32x4.add(K0, i32x4.splat(2)); ya = i32x4.add(ya, t); yb = i32x4.add(yb, t)
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); ya = v128.xor(rotl(ya, 13), xa); yb = v128.xor(rotl(yb, 13), xb)
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); ya = v128.xor(rotl(ya, 15), xa); yb = v128.xor(rotl(yb, 15), xb)
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); ya = v128.xor(rotl(ya, 26), xa); yb = v128.xor(rotl(yb, 26), xb)
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); ya = v128.xor(rotl(ya, 6), xa); yb = v128.xor(rotl(yb, 6), xb)
  xa = i32x4.add(xa, K0); xb = i32x4.add(xb, K0); t = i32x4.add(K1, i32x4.splat(3)); ya = i32x4.add(ya, t); yb = i32x4.add(yb, t)
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); ya = v128.xor(rotl(ya, 17), xa); yb = v128.xor(rotl(yb, 17), xb)
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); ya = v128.xor(rotl(ya, 29), xa); yb = v128.xor(rotl(yb, 29), xb)
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); ya = v128.xor(rotl(ya, 16), xa); yb = v128.xor(rotl(yb, 16), xb)
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); ya = v128.xor(rotl(ya, 24), xa); yb = v128.xor(rotl(yb, 24), xb)
  xa = i32x4.add(xa, K1); xb = i32x4.add(xb, K1); t = i32x4.add(K2, i32x4.splat(4)); ya = i32x4.add(ya, t); yb = i32x4.add(yb, t)
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); ya = v128.xor(rotl(ya, 13), xa); yb = v128.xor(rotl(yb, 13), xb)
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); ya = v128.xor(rotl(ya, 15), xa); yb = v128.xor(rotl(yb, 15), xb)
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); ya = v128.xor(rotl(ya, 26), xa); yb = v128.xor(rotl(yb, 26), xb)
  xa = i32x4.add(xa, ya); xb = i32x4.add(xb, yb); ya = v128.xor(rotl(ya, 6), xa); yb = v128.xor(rotl(yb, 6), xb)
  xa = i32x4.add(xa, K2); xb = i32x4.add(xb, K2); t = i32x4.add(K0, i32x4.splat(5)); ya = i32x4.add(ya, t); yb = i32x4.add(yb, t)
  XA = xa
  YA = ya
  XB = xb
  YB = yb
}

/**
 * Counters and output choice for four word indices (spec b.4): word j < half is the x of pair
 * (j, j + off); word j >= off is the y of pair (j - off, j); the middle word of an odd W is the
 * x of pair (half, 0). Returns the lane mask "take y"; writes the counters to C0 / C1.
 */
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

/**
 * Words [start, start + 8 * groups) of the draw into dst (little-endian u32). Groups that lie
 * wholly in one half take the direct counters; a group that straddles the middle computes its
 * counters lane by lane. Words past the end of the draw are garbage and must not be used.
 */
export function fillWords (start: u32, groups: u32, dst: usize): void {
  const lanes = i32x4(0, 1, 2, 3)
  const four = i32x4.splat(4)
  const off = i32x4.splat(OFF)
  for (let g: u32 = 0; g < groups; g++) {
    const j = start + (g << 3)
    const p = dst + (<usize>g << 5)
    const ia = i32x4.add(i32x4.splat(j), lanes)
    const ib = i32x4.add(ia, four)
    // j + 8 may wrap past 2^32 near the end of a large draw: compare against HALF - 8 instead
    if (HALF >= 8 && j <= HALF - 8) {
      inline.always(hash2(ia, i32x4.add(ia, off), ib, i32x4.add(ib, off)))
      v128.store(p, XA)
      v128.store(p, XB, 16)
    } else if (j >= OFF) {
      inline.always(hash2(i32x4.sub(ia, off), ia, i32x4.sub(ib, off), ib))
      v128.store(p, YA)
      v128.store(p, YB, 16)
    } else {
      const sa = counters(ia)
      const c0a = C0
      const c1a = C1
      const sb = counters(ib)
      inline.always(hash2(c0a, c1a, C0, C1))
      v128.store(p, v128.bitselect(YA, XA, sa))
      v128.store(p, v128.bitselect(YB, XB, sb), 16)
    }
  }
}
