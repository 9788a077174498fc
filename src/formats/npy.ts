/**
 * NPY writer, byte-for-byte what numpy.lib.format.write_array writes for the same array
 * (NumPy format spec, numpy/lib/format.py; frameworks-and-formats §4.1):
 *
 *   "\x93NUMPY" major minor | header length (v1: <H, v2/v3: <I) | header | data
 *
 * The header is the repr of a dict with the keys in sorted order, then spaces, then "\n", so that
 * the data starts at a multiple of ARRAY_ALIGN = 64.
 */
import { itemSize, type DType } from '../core/dtype.ts'
import { makeEncoding, type Encoding } from './encoding.ts'
import { checkedElementCount } from './checked-size.ts'

/**
 * `descr` per dtype: '|' for one-byte types (byte order does not apply), '<' little-endian.
 * NumPy has no bfloat16; MLX writes (and reads back as bfloat16) the two-byte void '<V2', and so
 * does ml_dtypes (frameworks-and-formats §4.1). numpy.load gives a |V2 array of the same bytes.
 */
export const NPY_DESCR: Record<DType, string> = {
  float32: '<f4',
  float16: '<f2',
  bfloat16: '<V2',
  float64: '<f8',
  int8: '|i1',
  int16: '<i2',
  int32: '<i4',
  int64: '<i8',
  uint8: '|u1',
  uint16: '<u2',
  uint32: '<u4',
  uint64: '<u8',
  bool: '|b1'
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59] // "\x93NUMPY"
const ARRAY_ALIGN = 64
/** Spare spaces NumPy leaves so the first axis can grow in place: 21 - len(repr(shape[0])). */
const GROWTH_AXIS_MAX_DIGITS = 21

/** repr() of a Python tuple of ints: `()`, `(5,)`, `(2, 3)`. */
function pythonTuple (shape: readonly number[]): string {
  if (shape.length === 1) return `(${shape[0] as number},)`
  return `(${shape.join(', ')})`
}

/** The dict literal NumPy's _write_array_header builds, growth padding included. */
export function npyHeaderText (shape: readonly number[], dtype: DType): string {
  let text = `{'descr': '${NPY_DESCR[dtype]}', 'fortran_order': False, 'shape': ${pythonTuple(shape)}, }`
  if (shape.length > 0) text += ' '.repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length))
  return text
}

/**
 * numpy's _wrap_header_guess_version: v1.0 if the padded header length fits the uint16 field, else
 * v2.0 (uint32 field). v3.0 exists only for headers that are not latin1, which ours never are
 * (the text is ASCII), so it is not implemented.
 */
export function wrapNpyHeader (text: string): Uint8Array {
  for (const [major, lengthBytes] of [[1, 2], [2, 4]] as const) {
    const prefix = MAGIC.length + 2 + lengthBytes
    const unpadded = text.length + 1 // + the final "\n"
    // As NumPy computes it: a header already aligned still gets a full 64 spaces.
    const padding = ARRAY_ALIGN - ((prefix + unpadded) % ARRAY_ALIGN)
    const headerLength = unpadded + padding
    if (headerLength >= 2 ** (8 * lengthBytes)) continue
    const bytes = new Uint8Array(prefix + headerLength)
    bytes.set(MAGIC, 0)
    bytes[6] = major
    bytes[7] = 0
    const view = new DataView(bytes.buffer)
    if (lengthBytes === 2) view.setUint16(8, headerLength, true)
    else view.setUint32(8, headerLength, true)
    for (let i = 0; i < text.length; i++) bytes[prefix + i] = text.charCodeAt(i)
    bytes.fill(0x20, prefix + text.length, bytes.length - 1)
    bytes[bytes.length - 1] = 0x0a
    return bytes
  }
  throw new RangeError(`NPY header of ${text.length} characters exceeds format 2.0`)
}

export function npyEncoding (shape: readonly number[], dtype: DType): Encoding {
  const elements = checkedElementCount(shape, dtype)
  return makeEncoding('npy', wrapNpyHeader(npyHeaderText(shape, dtype)), elements * itemSize(dtype))
}
