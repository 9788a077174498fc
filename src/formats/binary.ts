import type { BinaryFormat, Encoding } from './encoding.ts'
import { npyEncoding } from './npy.ts'
import { rawEncoding } from './raw.ts'
import { safetensorsEncoding, type SafetensorsMetadata, type NamedTensor } from './safetensors.ts'

/**
 * The encoding of one tensor in `format`. The name and metadata only exist in safetensors (raw and
 * npy carry shape and dtype in response headers and in the npy header respectively).
 */
export function binaryEncoding (format: BinaryFormat, tensor: NamedTensor, metadata?: SafetensorsMetadata): Encoding {
  switch (format) {
    case 'raw': return rawEncoding(tensor.shape, tensor.dtype)
    case 'npy': return npyEncoding(tensor.shape, tensor.dtype)
    case 'safetensors': return safetensorsEncoding(tensor, metadata)
  }
}
