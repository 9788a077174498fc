import { itemSize, type DType } from '../core/dtype.ts'
import { makeEncoding, type Encoding } from './encoding.ts'
import { checkedElementCount } from './checked-size.ts'

/**
 * Raw: the elements alone, little-endian, C order, no padding between elements (the Open
 * Inference Protocol's binary tensor layout, frameworks-and-formats §4.3). Shape and dtype travel
 * in response headers, so the body has no header of its own.
 */
export function rawEncoding (shape: readonly number[], dtype: DType): Encoding {
  return makeEncoding('raw', new Uint8Array(0), checkedElementCount(shape, dtype) * itemSize(dtype))
}
