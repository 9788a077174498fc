import type { Key } from '../core/plan.ts'
import { fillWords } from './bits.ts'

/**
 * MLX keys and the global key sequence (spec b.1, b.2).
 */

const UINT64_MASK = (1n << 64n) - 1n

/**
 * key(seed) = [uint32(seed >> 32), uint32(seed)] for a uint64 seed (spec b.1). Negative or wider
 * BigInts wrap modulo 2^64, as the uint64 conversion in MLX does.
 */
export function keyFromSeed (seed: bigint): Key {
  const s = seed & UINT64_MASK
  return [Number(s >> 32n), Number(s & 0xffffffffn)]
}

/**
 * split(key, num) = bits(shape [num, 2], width 4, key), row j being new key j (spec b.2).
 * For num = 2 this is JAX's random.split.
 */
export function splitKey (key: Key, num = 2): Key[] {
  if (!Number.isInteger(num) || num < 0) throw new RangeError(`split count must be a non-negative integer, got ${num}`)
  const words = new Uint32Array(2 * num)
  fillWords(key, 2 * num, 0, 2 * num, words)
  const keys: Key[] = []
  for (let j = 0; j < num; j++) keys.push([words[2 * j]!, words[2 * j + 1]!])
  return keys
}

/**
 * The keys used by the draw-th, (draw+1)-th, ... random calls after `mx.random.seed(seed)`
 * (spec b.1): K = key(seed); each call does (k0, k1) = split(K), K = k0, and uses k1.
 * split(K, 2) has W = 4 words: row 0 is the x outputs of counters (0, 2) and (1, 3), row 1 their
 * y outputs, so each call costs two hashes. The cost is linear in `draw`; callers bound it.
 */
export function sequenceKeys (seed: bigint, draw: number, count: number): Key[] {
  if (!Number.isSafeInteger(draw) || draw < 0) throw new RangeError(`draw must be a non-negative integer, got ${draw}`)
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`)
  let k = keyFromSeed(seed)
  const words = new Uint32Array(4)
  const keys: Key[] = []
  for (let call = 0; call < draw + count; call++) {
    fillWords(k, 4, 0, 4, words)
    if (call >= draw) keys.push([words[2]!, words[3]!])
    k = [words[0]!, words[1]!]
  }
  return keys
}
