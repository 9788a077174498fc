import { checkElementRange } from '../core/element-range.ts'
import type { Key } from '../core/plan.ts'
import { threefry2x32 } from './threefry.ts'

/**
 * MLX's `bits(shape, width, key)` counter layout (spec b.4), computable for any sub-range.
 *
 * The output of one key is W = ceil(n * width / 4) little-endian 32-bit words. With
 * half = floor(W / 2), odd = W % 2 and off = half + odd, the counter pair (i, i + off) for
 * i < half yields word[i] = x and word[i + off] = y; when W is odd the middle word[half] is the
 * x of counter (half, 0) and its y is dropped. Because the counters depend on W, every value
 * depends on the tensor's total size, so all functions here take the total and a range.
 *
 * Counters are uint32 in MLX; W stays far below 2^32 for every tensor this service accepts.
 */

const pair = new Uint32Array(2)

/**
 * Writes words [start, end) of a W-word draw into out[outOffset ...]. Each counter pair feeds two
 * words (one in each half), so pairs whose both words fall in the range are hashed once.
 */
export function fillWords (key: Key, totalWords: number, start: number, end: number, out: Uint32Array, outOffset = 0): void {
  // Words are the elements of the W-word draw: the same rule as any element range.
  checkElementRange({ start, end }, totalWords)
  if (out.length - outOffset < end - start) throw new RangeError('output too small for the word range')
  const k0 = key[0]
  const k1 = key[1]
  const half = Math.floor(totalWords / 2)
  const odd = totalWords % 2
  const off = half + odd
  // Pair indices whose x (first half) or y (second half) lands in [start, end).
  const xa = start
  const xb = Math.min(end, half)
  const ya = Math.max(start, off) - off
  const yb = end - off
  const ba = Math.max(xa, ya)
  const bb = Math.min(xb, yb)
  const base = outOffset - start
  if (ba < bb) {
    for (let i = ba; i < bb; i++) {
      threefry2x32(k0, k1, i, i + off, pair)
      out[base + i] = pair[0]!
      out[base + i + off] = pair[1]!
    }
    xOnly(k0, k1, off, xa, Math.min(xb, ba), out, base)
    xOnly(k0, k1, off, Math.max(xa, bb), xb, out, base)
    yOnly(k0, k1, off, ya, Math.min(yb, ba), out, base)
    yOnly(k0, k1, off, Math.max(ya, bb), yb, out, base)
  } else {
    xOnly(k0, k1, off, xa, xb, out, base)
    yOnly(k0, k1, off, ya, yb, out, base)
  }
  if (odd === 1 && start <= half && half < end) {
    threefry2x32(k0, k1, half, 0, pair)
    out[base + half] = pair[0]!
  }
}

function xOnly (k0: number, k1: number, off: number, from: number, to: number, out: Uint32Array, base: number): void {
  for (let i = from; i < to; i++) {
    threefry2x32(k0, k1, i, i + off, pair)
    out[base + i] = pair[0]!
  }
}

function yOnly (k0: number, k1: number, off: number, from: number, to: number, out: Uint32Array, base: number): void {
  for (let i = from; i < to; i++) {
    threefry2x32(k0, k1, i, i + off, pair)
    out[base + i + off] = pair[1]!
  }
}

/** Words needed for n elements of `width` bytes (spec b.4: W = ceil(n * width / 4)). */
export function wordCount (n: number, width: 1 | 2 | 4 | 8): number {
  return Math.ceil(n * width / 4)
}

/** uint32 draws (width 4) of elements [start, end) of an n-element tensor: word i is element i. */
export function bits32 (key: Key, n: number, start: number, end: number, out: Uint32Array, outOffset = 0): void {
  fillWords(key, n, start, end, out, outOffset)
}

/**
 * The words holding uint16 draws (width 2) [start, end) of an n-element tensor: element e is the
 * low (e even) or high (e odd) half of word floor(e / 2) (spec b.4). Returns the word range
 * [firstWord, endWord) to fill; on a little-endian host a Uint16Array view of those words starts
 * at element 2 * firstWord.
 */
export function words16 (start: number, end: number): [number, number] {
  return [Math.floor(start / 2), Math.ceil(end / 2)]
}

/** uint16 draws (width 2) of elements [start, end) of an n-element tensor, into `out`. */
export function bits16 (key: Key, n: number, start: number, end: number, out: Uint16Array, outOffset = 0): void {
  const [w0, w1] = words16(start, end)
  const words = new Uint32Array(w1 - w0)
  fillWords(key, wordCount(n, 2), w0, w1, words)
  const skip = start - 2 * w0
  for (let e = 0; e < end - start; e++) {
    const k = e + skip
    const w = words[k >> 1]!
    out[outOffset + e] = (k & 1) === 0 ? (w & 0xffff) : (w >>> 16)
  }
}

/**
 * 64-bit draws (width 8, the same layout) of elements [start, end): element e is the words
 * (2e, 2e + 1) = (low, high) of a 2n-word draw. Written as interleaved low/high uint32 pairs.
 * Only the service's own float64 recipes use this; MLX has no 64-bit draws.
 */
export function bits64 (key: Key, n: number, start: number, end: number, out: Uint32Array, outOffset = 0): void {
  fillWords(key, 2 * n, 2 * start, 2 * end, out, outOffset)
}
