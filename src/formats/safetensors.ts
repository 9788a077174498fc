/**
 * safetensors writer (safetensors README "Format"; frameworks-and-formats §4.2):
 *
 *   N: u64 little-endian | N bytes of UTF-8 JSON, space-padded | byte buffer
 *
 * Each tensor entry is {"dtype", "shape", "data_offsets": [begin, end]} with offsets relative to
 * the byte buffer, END exclusive, and the entries contiguous from 0 with no holes. The JSON is
 * written in the order of the Rust reference writer's serializer: "__metadata__" first, then the
 * tensors by offset, each as dtype, shape, data_offsets.
 */
import { TensorInitError } from '../core/errors.ts'
import { itemSize, type DType } from '../core/dtype.ts'
import { makeEncoding, type Encoding } from './encoding.ts'
import { checkedElementCount } from './checked-size.ts'
import { runAtOnce, runSliced } from '../core/time-slice.ts'

export const SAFETENSORS_DTYPE: Record<DType, string> = {
  float32: 'F32',
  float16: 'F16',
  bfloat16: 'BF16',
  float64: 'F64',
  int8: 'I8',
  int16: 'I16',
  int32: 'I32',
  int64: 'I64',
  uint8: 'U8',
  uint16: 'U16',
  uint32: 'U32',
  uint64: 'U64',
  bool: 'BOOL'
}

/** The reader's MAX_HEADER_SIZE (safetensors tensor.rs): a larger N is rejected as HeaderTooLarge. */
export const MAX_HEADER_SIZE = 100_000_000

/** The header length is padded to this, so the byte buffer starts 8-aligned (reference `prepare`). */
const HEADER_ALIGN = 8

/** String->string, the only shape `__metadata__` may have (no nested JSON, README). */
export type SafetensorsMetadata = Record<string, string>

export interface NamedTensor {
  name: string
  shape: readonly number[]
  dtype: DType
}

/** A tensor of a checkpoint, placed: where its bytes are, and how to turn bytes into elements. */
export interface PlacedTensor extends NamedTensor {
  itemSize: number
  elements: number
  /** data_offsets as written in the header: [begin, end) relative to the byte buffer. */
  dataOffsets: readonly [number, number]
  /** Absolute offset of the tensor's first byte in the file (header.length + begin). */
  byteOffset: number
}

export interface CheckpointEncoding extends Encoding {
  format: 'safetensors'
  /** In the given order, which is also the order of the bytes. */
  tensors: PlacedTensor[]
}

/** Lone surrogates cannot be encoded as UTF-8, and the Rust reader rejects their \u escapes. */
const LONE_SURROGATE = /\p{Cs}/u

function checkText (text: unknown, what: string, field: string): asserts text is string {
  if (typeof text !== 'string') {
    throw new TensorInitError('invalid-manifest', `${what} must be a string`, field)
  }
  if (LONE_SURROGATE.test(text)) {
    throw new TensorInitError('invalid-manifest', `${what} contains an unpaired UTF-16 surrogate`, field)
  }
}

function checkMetadata (metadata: SafetensorsMetadata): void {
  for (const [key, value] of Object.entries(metadata)) {
    const field = `/metadata/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`
    checkText(key, 'a metadata key', field)
    checkText(value, `metadata "${key}"`, field)
  }
}

/**
 * A safetensors file holding `tensors`, their bytes contiguous in the given order.
 * The caller may order them by descending item size (as the reference writer does) to give every
 * tensor natural alignment for zero-copy mmap readers; the format itself does not require it.
 * Errors: 'invalid-manifest' for an empty, duplicate or reserved name, bad metadata, or a header
 * beyond MAX_HEADER_SIZE; 'invalid-shape' / 'tensor-too-large' for a bad shape.
 */
export function checkpointEncoding (tensors: readonly NamedTensor[], metadata?: SafetensorsMetadata): CheckpointEncoding {
  return runAtOnce(checkpointSteps(tensors, metadata))
}

/**
 * checkpointEncoding, the same result and errors, in time slices (src/core/time-slice.ts): the
 * header of 10 000 tensors takes tens of milliseconds to lay out (issue 12, a free event loop).
 */
export async function checkpointEncodingSliced (tensors: readonly NamedTensor[], metadata?: SafetensorsMetadata): Promise<CheckpointEncoding> {
  return await runSliced(checkpointSteps(tensors, metadata))
}

/** The work of checkpointEncoding, pausing (yield) after each tensor so a caller can slice it. */
function * checkpointSteps (tensors: readonly NamedTensor[], metadata: SafetensorsMetadata | undefined): Generator<undefined, CheckpointEncoding> {
  if (metadata !== undefined) checkMetadata(metadata)
  const names = new Set<string>()
  const placed: PlacedTensor[] = []
  const entries: string[] = []
  if (metadata !== undefined) entries.push(`"__metadata__":${JSON.stringify(metadata)}`)
  let offset = 0
  for (const [index, tensor] of tensors.entries()) {
    const field = `/tensors/${index}`
    checkText(tensor.name, 'a tensor name', `${field}/name`)
    if (tensor.name === '') throw new TensorInitError('invalid-manifest', 'a tensor name must not be empty', `${field}/name`)
    // The reader would take it for the metadata map.
    if (tensor.name === '__metadata__') {
      throw new TensorInitError('invalid-manifest', '"__metadata__" is reserved and cannot name a tensor', `${field}/name`)
    }
    // JSON objects with duplicate keys are rejected by the reader.
    if (names.has(tensor.name)) {
      throw new TensorInitError('invalid-manifest', `tensor name "${tensor.name}" is used twice`, `${field}/name`)
    }
    names.add(tensor.name)
    const elements = checkedElementCount(tensor.shape, tensor.dtype, `${field}/shape`)
    const size = itemSize(tensor.dtype)
    const end = offset + elements * size
    if (!Number.isSafeInteger(end)) throw new TensorInitError('tensor-too-large', 'checkpoint exceeds 2^53 bytes', field)
    placed.push({
      name: tensor.name,
      shape: [...tensor.shape],
      dtype: tensor.dtype,
      itemSize: size,
      elements,
      dataOffsets: [offset, end],
      byteOffset: 0 // set once the header length is known
    })
    entries.push(`${JSON.stringify(tensor.name)}:{"dtype":"${SAFETENSORS_DTYPE[tensor.dtype]}",` +
      `"shape":[${tensor.shape.join(',')}],"data_offsets":[${offset},${end}]}`)
    offset = end
    yield undefined
  }
  const json = Buffer.from(`{${entries.join(',')}}`, 'utf8')
  const paddedLength = Math.ceil(json.length / HEADER_ALIGN) * HEADER_ALIGN
  if (paddedLength > MAX_HEADER_SIZE) {
    throw new TensorInitError('invalid-manifest',
      `safetensors header of ${paddedLength} bytes exceeds the format's limit of ${MAX_HEADER_SIZE}`, '/tensors')
  }
  const header = new Uint8Array(8 + paddedLength)
  new DataView(header.buffer).setBigUint64(0, BigInt(paddedLength), true)
  header.set(json, 8)
  header.fill(0x20, 8 + json.length)
  for (const tensor of placed) tensor.byteOffset = header.length + tensor.dataOffsets[0]
  return { ...makeEncoding('safetensors', header, offset), format: 'safetensors', tensors: placed }
}

/** A safetensors file with one tensor: the single-tensor response of /v1/tensors. */
export function safetensorsEncoding (tensor: NamedTensor, metadata?: SafetensorsMetadata): Encoding {
  const { tensors: _placed, ...encoding } = checkpointEncoding([tensor], metadata)
  return encoding
}
