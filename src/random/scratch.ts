/**
 * Reusable word buffers for the samplers' block loops, so a range costs no allocation per block.
 * JS runs one sampler at a time per thread, and no sampler re-enters another while it holds a
 * block, so one buffer per purpose is enough.
 */

/** Words generated per block: 64 KiB, small enough to stay in L2 next to the output. */
export const BLOCK_WORDS = 16384

const words = new Uint32Array(BLOCK_WORDS)

/** The shared block buffer of raw Threefry words. */
export function blockWords (): Uint32Array {
  return words
}
