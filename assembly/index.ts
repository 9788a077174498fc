import { setDraw, fillWords, UNIT } from './threefry'
import { erfinvBlock } from './erfinv'
import { halfBits } from './half'

/**
 * The kernels the worker threads call (src/wasm/kernels.ts is their JS side). Each computes the
 * elements [start, start + n) of the draw selected by setDraw into `out`, in blocks of BLOCK
 * elements through static scratch areas, and mirrors one reference sampler of src/random
 * (named in each comment). Writes may run up to 15 elements past n: the caller reserves that.
 * Half-dtype outputs go through the 65 536-entry table at LUT, which the caller fills with the
 * reference sampler's own table, so only the float32 part is computed here.
 */

export { setDraw, fillWords }

const BLOCK: u32 = 256
const WORDS: usize = memory.data(<i32>BLOCK * 4, 16)
const VALUES: usize = memory.data(<i32>BLOCK * 4, 16)
const T: usize = memory.data(<i32>BLOCK * 8, 16)
const P: usize = memory.data(<i32>BLOCK * 8, 16)
const BIG: usize = memory.data(<i32>BLOCK, 16)
const LUT: usize = memory.data(65536 * 2, 16)

/** Where the caller writes the uint16 table of the half-dtype kernels. */
export function lutAddress (): usize {
  return LUT
}

let OUT: usize = 0

/** The output area, grown to at least `bytes` (plus padding); stable until the next call. */
export function reserve (bytes: u32): usize {
  // __heap_base is the compiler's name for the end of static data
  // eslint-disable-next-line camelcase
  if (OUT === 0) OUT = (__heap_base + 15) & ~15
  const need = OUT + <usize>bytes + 64
  const have = <usize>memory.size() << 16
  if (need > have) {
    if (memory.grow(<i32>((need - have + 0xffff) >>> 16)) < 0) unreachable()
  }
  return OUT
}

const TWO_M32: f32 = 2.3283064365386963e-10

/** u = min(RN32(float32(w) / 2^32), top) for four words: float32(w) is RNE, / 2^32 exact (spec b.5). */
function unit (w: v128, top: v128): v128 {
  return f32x4.min(f32x4.mul(f32x4.convert_i32x4_u(w), f32x4.splat(TWO_M32)), top)
}

/** The float32 top of u, 1 - 2^-24 (spec b.5). */
const TOP32: f32 = reinterpret<f32>(0x3f7fffff)

/** uniformF32 of src/random/uniform.ts: out = RN32(RN32(range * u) + lo), u below 1 - 2^-24. */
export function uniformF32 (start: u32, n: u32, out: usize, lo: f32, range: f32): void {
  const top = f32x4.splat(TOP32)
  const r = f32x4.splat(range)
  const l = f32x4.splat(lo)
  for (let done: u32 = 0; done < n; done += BLOCK) {
    const units = (min(BLOCK, n - done) + UNIT - 1) / UNIT
    fillWords(start + done, units, WORDS)
    const dst = out + (<usize>done << 2)
    for (let o: usize = 0; o < <usize>units << 6; o += 16) {
      v128.store(dst + o, f32x4.add(f32x4.mul(r, unit(v128.load(WORDS + o), top)), l))
    }
  }
}

/** Looks up the half bits of `count` float32 values at SRC in the table, into dst as uint16. */
function lookupHalf (src: usize, count: u32, dst: usize, kind: i32): void {
  for (let q: u32 = 0; q < count; q += 4) {
    const h = halfBits(v128.load(src + (<usize>q << 2)), kind)
    const p = dst + (<usize>q << 1)
    store<u16>(p, load<u16>(LUT + (<usize>i32x4.extract_lane(h, 0) << 1)))
    store<u16>(p, load<u16>(LUT + (<usize>i32x4.extract_lane(h, 1) << 1)), 2)
    store<u16>(p, load<u16>(LUT + (<usize>i32x4.extract_lane(h, 2) << 1)), 4)
    store<u16>(p, load<u16>(LUT + (<usize>i32x4.extract_lane(h, 3) << 1)), 6)
  }
}

/**
 * The mlx-0.32 half uniform and truncated normal (applyLut032 / truncatedNormalHalf): the
 * table entry of D(min(float32(w) / 2^32, top)), top = below_one_D as a float32.
 */
export function unitLut (start: u32, n: u32, out: usize, kind: i32, top: f32): void {
  const t = f32x4.splat(top)
  for (let done: u32 = 0; done < n; done += BLOCK) {
    const units = (min(BLOCK, n - done) + UNIT - 1) / UNIT
    fillWords(start + done, units, WORDS)
    for (let o: usize = 0; o < <usize>units << 6; o += 16) v128.store(WORDS + o, unit(v128.load(WORDS + o), t))
    lookupHalf(WORDS, units * UNIT, out + (<usize>done << 1), kind)
  }
}

/** erfinv(RN32(RN32(range * u) + lo)) for the block's words at WORDS, into VALUES. */
function erfinvOfUniform (start: u32, units: u32, lo: f32, range: f32): void {
  const top = f32x4.splat(TOP32)
  const r = f32x4.splat(range)
  const l = f32x4.splat(lo)
  fillWords(start, units, WORDS)
  for (let o: usize = 0; o < <usize>units << 6; o += 16) {
    v128.store(WORDS + o, f32x4.add(f32x4.mul(r, unit(v128.load(WORDS + o), top)), l))
  }
  erfinvBlock(WORDS, VALUES, units * UNIT, T, P, BIG)
}

export const SECOND: i32 = 1
export const ADD: i32 = 2
export const CLIP: i32 = 4

/**
 * normalF32 / truncatedNormalF32 of src/random: with x = RN32(RN32(range * u) + lo)
 * (the normal: range 2, lo = -(1 - 2^-24)),
 *   v = RN32(first * erfinv(x)); if SECOND: v = RN32(second * v); if ADD: v = RN32(addend + v);
 *   if CLIP: v = max(min(hi, v), lo) with MLX's NaN rule (a NaN first operand wins).
 */
export function erfinvF32 (
  start: u32, n: u32, out: usize, lo: f32, range: f32,
  flags: i32, first: f32, second: f32, addend: f32, clipLo: f32, clipHi: f32
): void {
  const c1 = f32x4.splat(first)
  const c2 = f32x4.splat(second)
  const ca = f32x4.splat(addend)
  const cl = f32x4.splat(clipLo)
  const ch = f32x4.splat(clipHi)
  const hiNaN = f32x4.ne(ch, ch)
  for (let done: u32 = 0; done < n; done += BLOCK) {
    const units = (min(BLOCK, n - done) + UNIT - 1) / UNIT
    erfinvOfUniform(start + done, units, lo, range)
    const dst = out + (<usize>done << 2)
    for (let o: usize = 0; o < <usize>units << 6; o += 16) {
      let v = f32x4.mul(c1, v128.load(VALUES + o))
      if (flags & SECOND) v = f32x4.mul(c2, v)
      if (flags & ADD) v = f32x4.add(ca, v)
      if (flags & CLIP) {
        // minimum(hi, v): hi if hi < v or hi is NaN; then maximum(., lo): m if m > lo or m is NaN
        const m = v128.bitselect(ch, v, v128.or(f32x4.lt(ch, v), hiNaN))
        v = v128.bitselect(m, cl, v128.or(f32x4.gt(m, cl), f32x4.ne(m, m)))
      }
      v128.store(dst + o, v)
    }
  }
}

/**
 * The mlx-0.32 half normal (normalHalf032): the table entry of D(erfinv(x)), x as in erfinvF32.
 */
export function erfinvLut (start: u32, n: u32, out: usize, kind: i32, lo: f32, range: f32): void {
  for (let done: u32 = 0; done < n; done += BLOCK) {
    const units = (min(BLOCK, n - done) + UNIT - 1) / UNIT
    erfinvOfUniform(start + done, units, lo, range)
    lookupHalf(VALUES, units * UNIT, out + (<usize>done << 1), kind)
  }
}

/**
 * applyLut16 of src/random/uniform.ts: elements [start, start + n) of a 16-bit draw (spec b.4:
 * element e is the low half of word e / 2 when e is even, the high half when odd) mapped through
 * the table. In the mlx-0.13 profile every half-dtype sampler is a function of that draw (b.6).
 */
export function lut16 (start: u32, n: u32, out: usize): void {
  const step: u32 = 2 * BLOCK - 2
  for (let done: u32 = 0; done < n; done += step) {
    const m = min(step, n - done)
    const e = start + done
    const units = ((((e & 1) + m + 1) >>> 1) + UNIT - 1) / UNIT
    fillWords(e >>> 1, units, WORDS)
    const draws = WORDS + (<usize>(e & 1) << 1)
    const dst = out + (<usize>done << 1)
    for (let i: u32 = 0; i < m; i++) {
      const d = <usize>load<u16>(draws + (<usize>i << 1))
      store<u16>(dst + (<usize>i << 1), load<u16>(LUT + (d << 1)))
    }
  }
}
