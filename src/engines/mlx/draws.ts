import type { Key } from '../../core/plan.ts'
import { fillWords, wordCount } from '../../random/bits.ts'
import type { Mx, MxArray } from './mlx-module.ts'
import type { NpyExchange } from './npy-exchange.ts'

/**
 * The raw draws behind elements [start, end) of an n-element tensor, as MLX would produce them with
 * `bits(shape, width, key)` on the whole tensor (spec b.4), but computed for the range only.
 *
 * MLX 0.13's RandomBits always starts its counters at 0 and pairs counter i with i + W/2, where W
 * is the tensor's word count, so no MLX call yields a slice of a large tensor's words for less
 * than the whole tensor (split(key, m) is bits of 2m words: the same full-size layout). The hash
 * is pure uint32 arithmetic, identical on every device (spec b.4: the Metal kernel gives the same
 * bits), so the words come from the service's Threefry port (about 90 M words/s, faster than MLX
 * 0.13's CPU RandomBits at about 65 M/s), and every float step after them runs in MLX.
 */

/** uint32 draws (width 4): element i is word i of a W = n word draw. */
export function words32 (mx: Mx, io: NpyExchange, key: Key, n: number, start: number, end: number): MxArray {
  const words = new Uint32Array(end - start)
  fillWords(key, n, start, end, words)
  return io.arrayOf(mx, words)
}

/**
 * uint16 draws (width 2, MLX 0.13's half dtypes): element e is the low (e even) or high (e odd)
 * half of word floor(e / 2) of a W = ceil(n / 2) word draw (spec b.4).
 */
export function draws16 (mx: Mx, io: NpyExchange, key: Key, n: number, start: number, end: number): MxArray {
  const first = Math.floor(start / 2)
  const last = Math.ceil(end / 2)
  const words = new Uint32Array(last - first)
  fillWords(key, wordCount(n, 2), first, last, words)
  // Little-endian host (checked in npy-exchange): the low half of word j is uint16 element 2j.
  return io.arrayOf(mx, new Uint16Array(words.buffer, 2 * (start - 2 * first), end - start))
}

/** The draws of one key at the sampler's width. */
export function drawsFor (mx: Mx, io: NpyExchange, key: Key, width: 2 | 4, n: number, start: number, end: number): MxArray {
  return width === 4 ? words32(mx, io, key, n, start, end) : draws16(mx, io, key, n, start, end)
}
