/**
 * Streams a representation, or one byte range of it (RFC 9110 §14), pulling element bytes lazily
 * from a producer (an engine) so that only the covered elements are computed and at most one
 * producer chunk is held at a time.
 *
 * A producer that yields fewer or more bytes than its elements occupy is an error thrown from the
 * generator: with a computed Content-Length already sent, the HTTP layer then destroys the
 * connection, and a client sees a truncated body instead of a wrong body that looks complete.
 */
import type { ElementRange } from '../core/element-range.ts'
import { TensorInitError } from '../core/errors.ts'
import { mapCheckpointRange, mapTensorRange, type ByteRange, type ElementSlice, type TensorRangeParts } from './byte-range.ts'
import type { Encoding } from './encoding.ts'
import type { CheckpointEncoding } from './safetensors.ts'
import { timeSlicer } from '../core/time-slice.ts'

export type ProduceElements = (elements: ElementRange) => AsyncIterable<Uint8Array>
export type ProduceTensorElements = (tensor: number, elements: ElementRange) => AsyncIterable<Uint8Array>

/** The slice's element bytes, and which of them [keepFrom, keepTo) belong to the range. */
function window (slice: ElementSlice, itemSize: number): { expected: number, keepFrom: number, keepTo: number } {
  const expected = (slice.elements.end - slice.elements.start) * itemSize
  return { expected, keepFrom: slice.dropFirst, keepTo: expected - (itemSize - slice.keepLast) }
}

function producedTooMuch (slice: ElementSlice, expected: number): TensorInitError {
  const { start, end } = slice.elements
  return new TensorInitError('internal',
    `producer yielded more than the ${expected} bytes of elements [${start}, ${end}) of tensor ${slice.tensor}`)
}

function producedTooLittle (slice: ElementSlice, expected: number, produced: number): TensorInitError {
  const { start, end } = slice.elements
  return new TensorInitError('internal',
    `producer yielded ${produced} of the ${expected} bytes of elements [${start}, ${end}) of tensor ${slice.tensor}`)
}

/** Yields the bytes of `slice` out of the producer's element bytes, checking their count. */
async function * trimmed (slice: ElementSlice, itemSize: number, chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const { expected, keepFrom, keepTo } = window(slice, itemSize)
  let position = 0
  for await (const chunk of chunks) {
    const chunkStart = position
    position += chunk.length
    if (position > expected) throw producedTooMuch(slice, expected)
    const from = Math.max(keepFrom, chunkStart) - chunkStart
    const to = Math.min(keepTo, position) - chunkStart
    if (from < to) yield from === 0 && to === chunk.length ? chunk : chunk.subarray(from, to)
  }
  if (position !== expected) throw producedTooLittle(slice, expected, position)
}

/**
 * The same body as encodeBody, at once: `parts` is mapTensorRange's answer for the range and
 * `elementBytes` the bytes of parts.elements, already computed. For small bodies, sent as one
 * buffer rather than streamed. The element bytes are used in place when nothing surrounds them.
 */
export function encodeBodyNow (parts: TensorRangeParts, itemSize: number, elementBytes: Uint8Array): Buffer {
  let data = elementBytes.subarray(0, 0)
  if (parts.elements.start < parts.elements.end) {
    const slice: ElementSlice = { tensor: 0, elements: parts.elements, dropFirst: parts.dropFirst, keepLast: parts.keepLast }
    const { expected, keepFrom, keepTo } = window(slice, itemSize)
    if (elementBytes.length > expected) throw producedTooMuch(slice, expected)
    if (elementBytes.length < expected) throw producedTooLittle(slice, expected, elementBytes.length)
    data = elementBytes.subarray(keepFrom, keepTo)
  }
  if (parts.header.length === 0 && parts.trailer.length === 0) return Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  return Buffer.concat([parts.header, data, parts.trailer])
}

/**
 * The body of a single-tensor representation, or of `range` of it. `produce` is called at most
 * once, with the elements the range covers, and only after the header bytes have been consumed.
 */
export async function * encodeBody (
  encoding: Encoding,
  itemSize: number,
  range: ByteRange | undefined,
  produce: ProduceElements
): AsyncGenerator<Uint8Array> {
  const parts = mapTensorRange(encoding, itemSize, range)
  if (parts.header.length > 0) yield parts.header
  const { start, end } = parts.elements
  if (start < end) {
    const slice: ElementSlice = { tensor: 0, elements: parts.elements, dropFirst: parts.dropFirst, keepLast: parts.keepLast }
    yield * trimmed(slice, itemSize, produce(parts.elements))
  }
  if (parts.trailer.length > 0) yield parts.trailer
}

/**
 * Checkpoint pieces smaller than SMALL_PIECE_BYTES (a tiny tensor, a norm's bias) are gathered
 * into pieces of COALESCE_BYTES before they are handed on: a manifest of 10 000 small tensors
 * would otherwise be 10 000 socket writes of a few bytes each, which cost more than their bytes
 * and hold the event loop (issue 12). Engine chunks (KiBs to MiBs) pass through as they are, so
 * they keep being recycled.
 */
export const SMALL_PIECE_BYTES = 1024
export const COALESCE_BYTES = 64 * 1024

/**
 * The body of a checkpoint, or of `range` of it: `produce(tensor, elements)` is called once per
 * tensor the range covers, in order, each after the previous tensor's bytes have been consumed.
 * Between tensors the work pauses in time slices (src/core/time-slice.ts), and small pieces are
 * gathered (SMALL_PIECE_BYTES, COALESCE_BYTES).
 */
export async function * encodeCheckpointBody (
  encoding: CheckpointEncoding,
  range: ByteRange | undefined,
  produce: ProduceTensorElements
): AsyncGenerator<Uint8Array> {
  const parts = mapCheckpointRange(encoding, range)
  const slicer = timeSlicer()
  let pending: Uint8Array[] = []
  let pendingBytes = 0
  const flush = (): Uint8Array => {
    const piece = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes)
    pending = []
    pendingBytes = 0
    return piece
  }
  if (parts.header.length > 0) yield parts.header
  for (const slice of parts.slices) {
    const tensor = encoding.tensors[slice.tensor]
    if (tensor === undefined) throw new RangeError(`no tensor ${slice.tensor}`)
    for await (const chunk of trimmed(slice, tensor.itemSize, produce(slice.tensor, slice.elements))) {
      if (chunk.length >= SMALL_PIECE_BYTES) {
        if (pendingBytes > 0) yield flush()
        yield chunk
        continue
      }
      pending.push(chunk)
      pendingBytes += chunk.length
      if (pendingBytes >= COALESCE_BYTES) yield flush()
    }
    await slicer.pause()
  }
  if (pendingBytes > 0) yield flush()
  if (parts.trailer.length > 0) yield parts.trailer
}
