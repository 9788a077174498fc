/**
 * The JSON representation (design §2): `{"shape", "dtype", "profile", "data"}` where `data` holds
 * nested lists in C order like numpy's tolist() (a bare number for shape []), frameworks-and-formats §4.4.
 *
 * Numbers:
 * - float32, float16, bfloat16: the shortest decimal that reads back as the same element in its
 *   own precision (./shortest.ts); float64: JS's shortest round-trip printing.
 * - Negative zero is written `-0.0`: JSON.parse gives -0 and Python's json gives -0.0, where a
 *   bare `-0` would lose the sign in Python (it parses as the int 0).
 * - Integers as JSON integers. int64/uint64 are JSON numbers only when |v| <= 2^53-1 (exact in
 *   every JSON reader, RFC 8259 §6 interoperability range) and decimal strings beyond, so no
 *   reader silently rounds them; a reader converts strings with BigInt(s) or int(s).
 * - bool as true/false (numpy's tolist gives Python bools).
 * - NaN and ±Infinity have no JSON form (RFC 8259 §6). Rather than substitute null or strings,
 *   which would silently change the data or its type, encoding fails with 'not-acceptable'
 *   pointing to a binary format; random initializers never produce them, only a constant or gain
 *   the caller chose can. The whole document is built before anything is sent, so the HTTP layer
 *   can still answer with a problem response.
 */
import { TensorInitError } from '../core/errors.ts'
import { itemSize, type DType } from '../core/dtype.ts'
import { bfloat16ToNumber, float16ToNumber } from './half-decode.ts'
import { checkedElementCount } from './checked-size.ts'
import { numberText, shortestBfloat16, shortestFloat16, shortestFloat32, shortestFloat64 } from './shortest.ts'
import { timeSlicer } from '../core/time-slice.ts'
import { freeNow, ownsWholeBuffer } from '../core/free-now.ts'

export interface JsonTensor {
  shape: readonly number[]
  dtype: DType
  profile: string
}

type FormatElement = (view: DataView, offset: number) => string

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

function nonFinite (value: number): never {
  throw new TensorInitError('not-acceptable',
    `the tensor contains ${String(value)}, which JSON cannot represent (RFC 8259 §6); ` +
    'request application/octet-stream, application/x-npy or application/vnd.safetensors instead')
}

function float (shortest: (value: number) => string): (value: number) => string {
  return (value) => Number.isFinite(value) ? shortest(value) : nonFinite(value)
}

/** A 16-bit float's text depends only on its bits: memoize per bit pattern. */
function memoized16 (decode: (bits: number) => number, shortest: (value: number) => string): FormatElement {
  const text = float(shortest)
  let table: Array<string | undefined> | undefined
  return (view, offset) => {
    const bits = view.getUint16(offset, true)
    table ??= new Array<string | undefined>(65536)
    return (table[bits] ??= text(decode(bits)))
  }
}

function bigInteger (value: bigint): string {
  return value <= MAX_SAFE && value >= -MAX_SAFE ? value.toString() : `"${value.toString()}"`
}

const float32Text = float(shortestFloat32)
const float64Text = float(shortestFloat64)

const FORMATTERS: Record<DType, () => FormatElement> = {
  float32: () => (view, offset) => float32Text(view.getFloat32(offset, true)),
  float64: () => (view, offset) => float64Text(view.getFloat64(offset, true)),
  float16: () => memoized16(float16ToNumber, shortestFloat16),
  bfloat16: () => memoized16(bfloat16ToNumber, shortestBfloat16),
  int8: () => (view, offset) => numberText(view.getInt8(offset)),
  int16: () => (view, offset) => numberText(view.getInt16(offset, true)),
  int32: () => (view, offset) => numberText(view.getInt32(offset, true)),
  int64: () => (view, offset) => bigInteger(view.getBigInt64(offset, true)),
  uint8: () => (view, offset) => numberText(view.getUint8(offset)),
  uint16: () => (view, offset) => numberText(view.getUint16(offset, true)),
  uint32: () => (view, offset) => numberText(view.getUint32(offset, true)),
  uint64: () => (view, offset) => bigInteger(view.getBigUint64(offset, true)),
  // Any non-zero byte is true, as numpy reads a bool byte.
  bool: () => (view, offset) => view.getUint8(offset) === 0 ? 'false' : 'true'
}

/** The nested-list text of `count` elements laid out in C order over `shape`. */
function nestedData (shape: readonly number[], element: (index: number) => string): string {
  let next = 0
  const level = (axis: number): string => {
    const length = shape[axis]
    if (length === undefined) return element(next++)
    const items = new Array<string>(length)
    for (let i = 0; i < length; i++) items[i] = level(axis + 1)
    return `[${items.join(',')}]`
  }
  return level(0)
}

function envelope (tensor: JsonTensor, data: string): string {
  return `{"shape":[${tensor.shape.join(',')}],"dtype":${JSON.stringify(tensor.dtype)},` +
    `"profile":${JSON.stringify(tensor.profile)},"data":${data}}`
}

/**
 * The JSON document for a tensor whose elements are `bytes` (little-endian, C order, exactly
 * elementCount(shape) * itemSize(dtype) bytes).
 */
export function encodeJson (tensor: JsonTensor, bytes: Uint8Array): string {
  const count = checkedElementCount(tensor.shape, tensor.dtype)
  const size = itemSize(tensor.dtype)
  if (bytes.length !== count * size) {
    throw new TensorInitError('internal', `expected ${count * size} element bytes for JSON, got ${bytes.length}`)
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length)
  const format = FORMATTERS[tensor.dtype]()
  return envelope(tensor, nestedData(tensor.shape, (index) => format(view, index * size)))
}

/**
 * Elements written between looks at the clock: encodeJsonAsync works in slices
 * (src/core/time-slice.ts; issue 12: 12 concurrent 1M-element documents encoded in one go held
 * /healthz for 4.2 s).
 */
const ELEMENTS_PER_CLOCK_CHECK = 1024

/**
 * encodeJson, byte for byte, cut into slices of about SLICE_MS that yield to the event loop
 * (setImmediate, so pending I/O and timers run in between). The nested lists are written flat:
 * before element i come a comma (i > 0) and one `[` per axis whose sub-list starts at i, after it
 * one `]` per axis whose sub-list ends at i + 1, which is the text nestedData builds recursively.
 */
export async function encodeJsonAsync (tensor: JsonTensor, bytes: Uint8Array): Promise<string> {
  const parts: string[] = []
  await writeJsonSliced(tensor, bytes, (text) => { parts.push(text) })
  return parts.join('')
}

/**
 * encodeJsonAsync's text as ASCII buffers, one per slice: the same bytes (the document is ASCII:
 * digits, brackets, commas and JSON-escaped names). A million float64 elements are ~20 MB of
 * text; held as external buffers rather than one V8 string, they cost the garbage collector
 * nothing to scan or move, so concurrent documents do not stall the event loop in GC pauses.
 */
export async function encodeJsonBuffers (tensor: JsonTensor, bytes: Uint8Array): Promise<Buffer[]> {
  const parts: Buffer[] = []
  await writeJsonSliced(tensor, bytes, (text) => { parts.push(Buffer.from(text, 'latin1')) })
  return parts
}

/** The document in pieces, in order, handed to `sink` slice by slice. */
async function writeJsonSliced (tensor: JsonTensor, bytes: Uint8Array, sink: (text: string) => void): Promise<void> {
  const count = checkedElementCount(tensor.shape, tensor.dtype)
  const size = itemSize(tensor.dtype)
  if (bytes.length !== count * size) {
    throw new TensorInitError('internal', `expected ${count * size} element bytes for JSON, got ${bytes.length}`)
  }
  // No elements (a zero-length axis), or a scalar: no work to slice.
  if (count === 0 || tensor.shape.length === 0) {
    sink(encodeJson(tensor, bytes))
    return
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length)
  const format = FORMATTERS[tensor.dtype]()
  const rank = tensor.shape.length
  // spans[k]: elements in one sub-list of axis k (spans[0] = count).
  const spans = new Array<number>(rank)
  let span = 1
  for (let k = rank - 1; k >= 0; k--) {
    span *= tensor.shape[k]!
    spans[k] = span
  }
  // The envelope around the data, as envelope() writes it.
  const whole = envelope(tensor, '\u0000')
  const hole = whole.indexOf('\u0000')
  sink(whole.slice(0, hole))
  let index = 0
  const slicer = timeSlicer()
  // The innermost sub-lists start and end every `row` elements; only there can brackets go.
  const row = spans[rank - 1]!
  const open = (i: number): string => {
    let text = i > 0 ? ',' : ''
    for (let k = 0; k < rank; k++) if (i % spans[k]! === 0) text += '['
    return text
  }
  const close = (i: number): string => {
    let text = ''
    for (let k = 0; k < rank; k++) if ((i + 1) % spans[k]! === 0) text += ']'
    return text
  }
  while (index < count) {
    const stop = Math.min(count, index + ELEMENTS_PER_CLOCK_CHECK)
    // One flat string per slice (an array joined once, as encodeJson joins): no long rope to
    // flatten in one go at the end.
    const items = new Array<string>(stop - index)
    for (let at = 0; index < stop; index++, at++) {
      const text = format(view, index * size)
      const first = index % row === 0
      const last = (index + 1) % row === 0
      items[at] = first || last ? `${first ? open(index) : ','}${text}${last ? close(index) : ''}` : `,${text}`
    }
    sink(items.join(''))
    if (index < count) await slicer.pause()
  }
  sink(whole.slice(hole + 1))
}

/**
 * encodeJson over a producer's chunks (an engine stream of the whole tensor): gathers them into
 * one buffer of the exact size, failing if the producer yields more or fewer bytes.
 */
export async function encodeJsonFromChunks (tensor: JsonTensor, chunks: AsyncIterable<Uint8Array>): Promise<string> {
  // In slices: a million elements (float64 shortest printing) take a few hundred ms.
  return await encodeJsonAsync(tensor, await gatherElements(tensor, chunks))
}

/** encodeJsonBuffers over a producer's chunks, as encodeJsonFromChunks. */
export async function encodeJsonBuffersFromChunks (tensor: JsonTensor, chunks: AsyncIterable<Uint8Array>): Promise<Buffer[]> {
  const bytes = await gatherElements(tensor, chunks)
  const parts = await encodeJsonBuffers(tensor, bytes)
  // The element bytes were gathered here and are read no more: return their memory now (an
  // idle process runs no full GC to do it; core/free-now.ts).
  if (ownsWholeBuffer(bytes)) freeNow(bytes.buffer)
  return parts
}

/** The producer's chunks in one buffer of the exact size, failing if it yields more or fewer bytes. */
async function gatherElements (tensor: JsonTensor, chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const expected = checkedElementCount(tensor.shape, tensor.dtype) * itemSize(tensor.dtype)
  const bytes = new Uint8Array(expected)
  let position = 0
  for await (const chunk of chunks) {
    if (position + chunk.length > expected) {
      throw new TensorInitError('internal', `producer yielded more than the ${expected} element bytes`)
    }
    bytes.set(chunk, position)
    position += chunk.length
  }
  if (position !== expected) throw new TensorInitError('internal', `producer yielded ${position} of ${expected} element bytes`)
  return bytes
}

/**
 * Longest text of one element per dtype (sign included). Floats: JS prints |x| in [1e20, 1e21)
 * as up to 21 integer digits, and |x| in [1e-6, 1e-5) as "0.00000" plus the significant digits;
 * everything else uses exponent form, which is shorter. float16 (|x| <= 65504) is checked
 * exhaustively in the tests. Strings for 64-bit integers include their quotes.
 */
const MAX_ELEMENT_CHARS: Record<DType, number> = {
  float64: 1 + 7 + 17, // -0.00000 + 17 digits
  float32: 1 + 21,
  bfloat16: 1 + 21,
  float16: 11, // -0.00000113
  int8: 4,
  int16: 6,
  int32: 11,
  int64: 22, // "-9223372036854775808" with quotes
  uint8: 3,
  uint16: 5,
  uint32: 10,
  uint64: 22, // "18446744073709551615" with quotes
  bool: 5
}

/**
 * An upper bound on the length of encodeJson's output for `tensor`, computable before any element
 * exists, so the HTTP layer can refuse ('json-too-large') before computing. The text is ASCII, so
 * characters are bytes.
 */
export function maxJsonBytes (tensor: JsonTensor): number {
  const count = checkedElementCount(tensor.shape, tensor.dtype)
  // Every list contributes its two brackets; the items of a list are separated by commas.
  let lists = 0
  let separators = 0
  let outer = 1
  for (const length of tensor.shape) {
    lists += outer
    separators += outer * Math.max(0, length - 1)
    outer *= length
  }
  return envelope(tensor, '').length + count * MAX_ELEMENT_CHARS[tensor.dtype] + 2 * lists + separators
}
