import { TensorInitError } from '../core/errors.ts'

const MAX_UINT64 = (1n << 64n) - 1n
const DECIMAL = /^(0|[1-9]\d{0,19})$/

/**
 * Design §1 "Seeds and keys": a seed is an unsigned 64-bit integer, given as a JSON number up to
 * 2^53-1 (beyond that JSON numbers lose integers silently) or as a decimal string up to 2^64-1.
 */
export function parseSeed (value: unknown, field = '/seed'): bigint {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new TensorInitError('invalid-seed',
        `A numeric seed must be an integer in [0, 2^53-1]; pass larger seeds (up to 2^64-1) as a decimal string. Got ${value}.`, field)
    }
    return BigInt(value)
  }
  if (typeof value === 'string') {
    if (DECIMAL.test(value)) {
      const seed = BigInt(value)
      if (seed <= MAX_UINT64) return seed
    }
    const shown = value.length > 40 ? value.slice(0, 37) + '...' : value
    throw new TensorInitError('invalid-seed',
      `A seed must be a decimal integer in [0, 2^64-1] without sign or leading zeros, got '${shown}'.`, field)
  }
  throw new TensorInitError('invalid-seed', 'A seed must be an integer or a decimal string.', field)
}
