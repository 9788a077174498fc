import type { StreamOptions } from '../engines/engine.ts'
import type { ByteRange } from '../formats/byte-range.ts'

/**
 * One representation of a resource (RFC 9110 §3.2), described before any of its content exists:
 * everything send-representation.ts needs to answer a request for it (preconditions, Range, HEAD,
 * the body). Tensors in a binary format, tensors as JSON and checkpoints are all described this
 * way (binary-tensor-representation.ts, json-tensor-representation.ts,
 * checkpoint-representation.ts); the routes only build a plan and pick a description.
 */
export interface Representation {
  /** The format label of the bytes in the metrics: raw, npy, safetensors or json. */
  format: string
  /** The strong entity tag (§8.8.3) of these bytes: etag.ts. */
  etag: string
  /**
   * The header fields of a 200, in the order they are sent, except Content-Length: Content-Type,
   * ETag, Cache-Control, Vary, Accept-Ranges and the metadata fields. A 304 repeats the caching
   * ones (§15.4.5), a 206 adds Content-Range.
   */
  headers: Readonly<Record<string, string>>
  /**
   * The length of the whole body when it is known before any element is computed. A known length
   * is what makes byte ranges (§14) and a HEAD's Content-Length possible; undefined when it is
   * only known once the content is generated (JSON: RFC 9110 §9.3.2 lets a HEAD omit it).
   */
  length: number | undefined
  /**
   * The most bytes this body holds in memory at once while it is computed and sent, when that is
   * more than a stream's window (a body built whole: JSON's elements and text). Admission reserves
   * it (admission.ts); undefined: the body streams, bounded by the engine's window.
   */
  holdBytes?: number
  /** What the detail of a 416 calls the body ("the 100-byte representation"). */
  noun: string
  /**
   * The body, or `range` of it (only ever given when `length` is known), as chunks in order. With
   * `options.recycler` the chunks may be memory the engine reuses once the socket wrote them
   * (body-stream.ts); with `options.signal` the work stops when the client has gone.
   */
  stream: (range: ByteRange | undefined, options: StreamOptions) => AsyncIterable<Uint8Array>
  /**
   * The same bytes as `stream`, at once, when they can be computed on this thread without waiting
   * (docs/performance.md, small requests: the cpu engine's computeNow); undefined when they cannot.
   */
  now?: (range: ByteRange | undefined) => Buffer | undefined
  /**
   * True when `stream` yields fresh buffers that nothing else holds (the JSON text's pieces), so
   * the pipeline may free them as soon as it has copied or sent them (core/free-now.ts). Engine
   * chunks are not: the engine may keep them (a cached whole matrix) or recycle them.
   */
  ownsChunks?: boolean
}

/**
 * Cache-Control of every representation (RFC 9111 §5.2.2.1, RFC 8246 immutable): the bytes are a
 * pure function of the request, so a cached copy never goes stale.
 */
export const IMMUTABLE = 'public, max-age=31536000, immutable'

/**
 * The fields every representation opens with, in this order: its media type, its strong tag,
 * immutable caching, `Vary: Accept` (the format may be negotiated, RFC 9110 §12.5.5) and whether
 * byte ranges are served (`bytes` when the length is known up front, §14.3).
 */
export function representationHeaders (contentType: string, etag: string, acceptRanges: 'bytes' | 'none'): Record<string, string> {
  return { 'content-type': contentType, etag, 'cache-control': IMMUTABLE, vary: 'Accept', 'accept-ranges': acceptRanges }
}
