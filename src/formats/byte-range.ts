/**
 * Maps a byte range of a whole representation (header + element data + trailer) onto its parts,
 * so a 206 response computes only the elements it covers (RFC 9110 §14; design §2).
 */
import type { ElementRange } from '../core/element-range.ts'
import { TensorInitError } from '../core/errors.ts'
import type { Encoding } from './encoding.ts'
import type { CheckpointEncoding } from './safetensors.ts'

/** An inclusive byte range, as in `bytes=first-last` (RFC 9110 §14.1.2). */
export interface ByteRange { first: number, last: number }

/** The elements of one tensor that a byte range touches, and how to trim them to the range. */
export interface ElementSlice {
  /** Index of the tensor in the checkpoint (0 for a single tensor). */
  tensor: number
  /** Elements [start, end) whose bytes overlap the range. */
  elements: ElementRange
  /** Bytes to drop from the start of element `elements.start` (0 .. itemSize-1). */
  dropFirst: number
  /** Bytes to keep from the start of element `elements.end - 1` (1 .. itemSize). */
  keepLast: number
}

/** The range cut into parts, in body order: header bytes, element slices, trailer bytes. */
export interface RangeParts {
  header: Uint8Array
  slices: ElementSlice[]
  trailer: Uint8Array
}

/** The single-tensor view of RangeParts. An untouched data part has an empty element range. */
export interface TensorRangeParts {
  header: Uint8Array
  elements: ElementRange
  dropFirst: number
  keepLast: number
  trailer: Uint8Array
}

/** A stretch of the data part holding one tensor's elements. */
interface Segment { itemSize: number, elements: number }

/** Rejects a range the caller did not get from parseRange. */
function checkRange (range: ByteRange, totalBytes: number): void {
  const { first, last } = range
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last) || first < 0 || last < first || last >= totalBytes) {
    throw new TensorInitError('range-not-satisfiable', `bytes ${first}-${last} is not within a ${totalBytes}-byte representation`)
  }
}

function clamp (value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high)
}

/** Cuts the half-open byte range [from, to) of the body into header, segment slices and trailer. */
function cut (header: Uint8Array, segments: readonly Segment[], trailer: Uint8Array, from: number, to: number): RangeParts {
  const headerSlice = header.subarray(clamp(from, 0, header.length), clamp(to, 0, header.length))
  const slices: ElementSlice[] = []
  let base = header.length
  for (const [tensor, segment] of segments.entries()) {
    const size = segment.elements * segment.itemSize
    const d0 = clamp(from - base, 0, size)
    const d1 = clamp(to - base, 0, size)
    if (d0 < d1) {
      const start = Math.floor(d0 / segment.itemSize)
      const end = Math.ceil(d1 / segment.itemSize)
      slices.push({
        tensor,
        elements: { start, end },
        dropFirst: d0 - start * segment.itemSize,
        keepLast: d1 - (end - 1) * segment.itemSize
      })
    }
    base += size
  }
  const trailerSlice = trailer.subarray(clamp(from - base, 0, trailer.length), clamp(to - base, 0, trailer.length))
  return { header: headerSlice, slices, trailer: trailerSlice }
}

/** Parts of a single-tensor representation covered by `range` (the whole body if undefined). */
export function mapTensorRange (encoding: Encoding, itemSize: number, range?: ByteRange): TensorRangeParts {
  if (!Number.isSafeInteger(itemSize) || itemSize <= 0 || encoding.dataBytes % itemSize !== 0) {
    throw new RangeError(`${encoding.dataBytes} data bytes are not whole elements of ${itemSize} bytes`)
  }
  const [from, to] = bounds(encoding, range)
  const parts = cut(encoding.header, [{ itemSize, elements: encoding.dataBytes / itemSize }], encoding.trailer, from, to)
  const slice = parts.slices[0]
  if (slice === undefined) {
    // No data byte is covered: an empty element range placed where the range falls.
    const at = from >= encoding.header.length ? encoding.dataBytes / itemSize : 0
    return { header: parts.header, elements: { start: at, end: at }, dropFirst: 0, keepLast: 0, trailer: parts.trailer }
  }
  return { header: parts.header, elements: slice.elements, dropFirst: slice.dropFirst, keepLast: slice.keepLast, trailer: parts.trailer }
}

/** Parts of a checkpoint covered by `range`: one slice per tensor it touches, in order. */
export function mapCheckpointRange (encoding: CheckpointEncoding, range?: ByteRange): RangeParts {
  const [from, to] = bounds(encoding, range)
  return cut(encoding.header, encoding.tensors, encoding.trailer, from, to)
}

function bounds (encoding: Encoding, range: ByteRange | undefined): [number, number] {
  if (range === undefined) return [0, encoding.totalBytes]
  checkRange(range, encoding.totalBytes)
  return [range.first, range.last + 1]
}

/** Bytes an element slice contributes to the body. */
export function sliceByteLength (slice: ElementSlice, itemSize: number): number {
  const { start, end } = slice.elements
  return (end - start) * itemSize - slice.dropFirst - (itemSize - slice.keepLast)
}
