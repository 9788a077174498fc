import { TensorInitError } from '../core/errors.ts'
import { itemSize, type DType } from '../core/dtype.ts'

/**
 * Element count of a C-order shape (1 for the scalar shape []), checked so that every size the
 * writers compute, and every byte offset derived from it, is an exact JS integer.
 * The HTTP layer enforces the product's own (much smaller) limits before this is reached.
 */
export function checkedElementCount (shape: readonly number[], dtype: DType, field = '/shape'): number {
  let count = 1
  for (const dim of shape) {
    if (!Number.isSafeInteger(dim) || dim < 0) {
      throw new TensorInitError('invalid-shape', `shape dimension ${String(dim)} is not a non-negative integer`, field)
    }
    count *= dim
  }
  if (!Number.isSafeInteger(count * itemSize(dtype))) {
    throw new TensorInitError('tensor-too-large', `shape [${shape.join(', ')}] of ${dtype} exceeds 2^53 bytes`, field)
  }
  return count
}
