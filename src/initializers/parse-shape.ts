import { clip, TensorInitError } from '../core/errors.ts'

const DIM_TEXT = /^(0|[1-9]\d{0,15})$/

/**
 * A shape is a list of non-negative integers (a zero dimension gives an empty tensor, as in MLX and
 * NumPy; the empty list is a 0-D scalar). From a query string it is comma-separated ("256,128").
 */
export function parseShape (value: unknown, maxRank: number, field = '/shape'): number[] {
  let items: unknown[]
  if (Array.isArray(value)) items = value
  else if (typeof value === 'string') items = value.trim() === '' ? [] : value.split(',').map((s) => s.trim())
  else throw new TensorInitError('invalid-shape', 'shape must be a list of non-negative integers, e.g. [256, 128] or "256,128".', field)
  if (items.length > maxRank) {
    throw new TensorInitError('invalid-shape', `shape has ${items.length} dimensions; at most ${maxRank} are allowed.`, field)
  }
  return items.map((item, i) => {
    const n = typeof item === 'string' && DIM_TEXT.test(item) ? Number(item) : item
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
      throw new TensorInitError('invalid-shape',
        `shape[${i}] must be a non-negative integer, got ${clip(JSON.stringify(item) ?? String(item))}.`, `${field}/${i}`)
    }
    return n
  })
}
