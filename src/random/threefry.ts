/**
 * Threefry-2x32 with 20 rounds, the hash behind every MLX random draw (spec b.3).
 *
 * All arithmetic is uint32 with wraparound: `(a + b) >>> 0` keeps JS numbers in uint32 range, and
 * the rotations use `<<`/`>>>` on int32 bit patterns. The function writes (x, y) into `out` rather
 * than returning a pair so hot loops allocate nothing.
 */

/** The Threefish key-schedule parity constant (spec b.3). */
const PARITY = 0x1BD11BDA

/**
 * H(key = (k0, k1), counter = (c0, c1)) -> (x, y): writes x to out[offset] and y to out[offset + 1].
 * Five groups of four rounds with rotations [13,15,26,6] / [17,29,16,24]; key injection after each
 * group with the injection counter 1..5 (spec b.3).
 */
export function threefry2x32 (k0: number, k1: number, c0: number, c1: number, out: Uint32Array, offset = 0): void {
  const k2 = (k0 ^ k1 ^ PARITY) >>> 0
  let x = (c0 + k0) | 0
  let y = (c1 + k1) | 0
  // group 0 (R[0]), then inject ks[1], ks[2] + 1
  x = (x + y) | 0; y = (y << 13) | (y >>> 19); y ^= x
  x = (x + y) | 0; y = (y << 15) | (y >>> 17); y ^= x
  x = (x + y) | 0; y = (y << 26) | (y >>> 6); y ^= x
  x = (x + y) | 0; y = (y << 6) | (y >>> 26); y ^= x
  x = (x + k1) | 0; y = (y + k2 + 1) | 0
  // group 1 (R[1]), inject ks[2], ks[0] + 2
  x = (x + y) | 0; y = (y << 17) | (y >>> 15); y ^= x
  x = (x + y) | 0; y = (y << 29) | (y >>> 3); y ^= x
  x = (x + y) | 0; y = (y << 16) | (y >>> 16); y ^= x
  x = (x + y) | 0; y = (y << 24) | (y >>> 8); y ^= x
  x = (x + k2) | 0; y = (y + k0 + 2) | 0
  // group 2 (R[0]), inject ks[0], ks[1] + 3
  x = (x + y) | 0; y = (y << 13) | (y >>> 19); y ^= x
  x = (x + y) | 0; y = (y << 15) | (y >>> 17); y ^= x
  x = (x + y) | 0; y = (y << 26) | (y >>> 6); y ^= x
  x = (x + y) | 0; y = (y << 6) | (y >>> 26); y ^= x
  x = (x + k0) | 0; y = (y + k1 + 3) | 0
  // group 3 (R[1]), inject ks[1], ks[2] + 4
  x = (x + y) | 0; y = (y << 17) | (y >>> 15); y ^= x
  x = (x + y) | 0; y = (y << 29) | (y >>> 3); y ^= x
  x = (x + y) | 0; y = (y << 16) | (y >>> 16); y ^= x
  x = (x + y) | 0; y = (y << 24) | (y >>> 8); y ^= x
  x = (x + k1) | 0; y = (y + k2 + 4) | 0
  // group 4 (R[0]), inject ks[2], ks[0] + 5
  x = (x + y) | 0; y = (y << 13) | (y >>> 19); y ^= x
  x = (x + y) | 0; y = (y << 15) | (y >>> 17); y ^= x
  x = (x + y) | 0; y = (y << 26) | (y >>> 6); y ^= x
  x = (x + y) | 0; y = (y << 6) | (y >>> 26); y ^= x
  x = (x + k2) | 0; y = (y + k0 + 5) | 0
  out[offset] = x
  out[offset + 1] = y
}
