import type { FastifyReply, FastifyRequest } from 'fastify'
import type { ElementRange } from '../core/element-range.ts'
import { ChunkRecycler } from '../engines/chunk-recycler.ts'
import { encodeBody, encodeBodyNow } from '../formats/body.ts'
import { mapTensorRange, type ByteRange } from '../formats/byte-range.ts'
import type { BinaryFormat, Encoding } from '../formats/encoding.ts'
import { npyEncoding } from '../formats/npy.ts'
import { contentRange } from './range-header.ts'
import { rawEncoding } from '../formats/raw.ts'
import { safetensorsEncoding } from '../formats/safetensors.ts'
import { itemSize } from '../core/dtype.ts'
import type { Plan } from '../core/plan.ts'
import { bodyStream, clientGoneSignal } from './body-stream.ts'
import { evaluatePreconditions } from './conditional.ts'
import type { ServiceContext } from './context.ts'
import { tensorEtag } from './etag.ts'
import { requestedRange, sendRangeNotSatisfiable } from './range-request.ts'
import { contentDisposition, safetensorsMetadata, tensorHeaders, type TensorProvenance } from './tensor-metadata.ts'

/** Name of the one tensor in a single-tensor safetensors file (`mx.load(path)['tensor']`). */
export const SAFETENSORS_TENSOR_NAME = 'tensor'

export const IMMUTABLE = 'public, max-age=31536000, immutable'

export interface Representation {
  encoding: Encoding
  etag: string
  provenance: TensorProvenance
}

/** Everything about a binary representation that is known before any element is computed. */
export function describeBinary (ctx: ServiceContext, plan: Plan, format: BinaryFormat): Representation {
  const provenance: TensorProvenance = {
    plan,
    exactness: ctx.engine.exactness(plan),
    engine: ctx.engine.info,
    serviceVersion: ctx.version
  }
  let encoding: Encoding
  let extra: unknown
  switch (format) {
    case 'raw':
      encoding = rawEncoding(plan.shape, plan.dtype)
      break
    case 'npy':
      encoding = npyEncoding(plan.shape, plan.dtype)
      break
    case 'safetensors': {
      const metadata = safetensorsMetadata(provenance)
      encoding = safetensorsEncoding({ name: SAFETENSORS_TENSOR_NAME, shape: plan.shape, dtype: plan.dtype }, metadata)
      // The metadata (service version included) is part of the body, so it is part of the tag.
      extra = metadata
      break
    }
  }
  return { encoding, etag: tensorEtag(plan, format, provenance.exactness, extra), provenance }
}

/**
 * How a request method treats a binary tensor: GET and HEAD are conditional (RFC 9110 §13.2.1:
 * a failed If-Match answers 412, a matching If-None-Match 304) and GET alone honours Range (§14.2: "GET is the only method
 * for which range handling is defined"); POST gets the full representation. HEAD computes nothing.
 */
export type Method = 'GET' | 'HEAD' | 'POST'

function setRepresentationHeaders (reply: FastifyReply, rep: Representation): void {
  reply.header('content-type', rep.encoding.contentType)
  reply.header('etag', rep.etag)
  reply.header('cache-control', IMMUTABLE)
  reply.header('vary', 'Accept')
  reply.header('accept-ranges', 'bytes')
  reply.header('content-disposition', contentDisposition(rep.provenance.plan, rep.encoding.fileExtension))
  reply.headers(tensorHeaders(rep.provenance))
}

/**
 * §15.4.5: a 304 carries the fields a 200 would have had among Cache-Control, ETag and Vary, and
 * SHOULD NOT carry other representation metadata.
 */
export function sendNotModified (reply: FastifyReply, etag: string): FastifyReply {
  return reply.code(304).headers({ etag, 'cache-control': IMMUTABLE, vary: 'Accept' }).send()
}

export function sendBinary (
  ctx: ServiceContext,
  request: FastifyRequest,
  reply: FastifyReply,
  plan: Plan,
  format: BinaryFormat,
  method: Method
): FastifyReply | Promise<FastifyReply> {
  const rep = describeBinary(ctx, plan, format)
  const { encoding } = rep
  if (method !== 'POST' && evaluatePreconditions(request.headers, rep.etag) === 'not-modified') {
    return sendNotModified(reply, rep.etag)
  }

  // Range handling is defined for GET only (RFC 9110 §14.2); HEAD and POST get the whole length.
  const range = method === 'GET' ? requestedRange(request, rep.etag, encoding.totalBytes) : undefined
  if (range === 'unsatisfiable') return sendRangeNotSatisfiable(request, reply, encoding.totalBytes, 'representation')

  const length = range === undefined ? encoding.totalBytes : range.last - range.first + 1
  if (method === 'HEAD') return setSuccessHeaders(reply, rep, range, length).send()
  if (length <= SMALL_BODY_BYTES) return sendSmall(ctx, reply, rep, plan, range, length)

  const { metrics, engine } = ctx
  setSuccessHeaders(reply, rep, range, length)
  const signal = clientGoneSignal(reply, () => metrics.streamsAborted.inc({ format }))
  // Chunks go back to the engine once the socket has written them (body-stream.ts).
  const recycler = new ChunkRecycler()
  const produce = (elements: ElementRange): AsyncIterable<Uint8Array> => engine.stream(plan, elements, { signal, recycler })
  const chunks = encodeBody(encoding, itemSize(plan.dtype), range, produce)
  metrics.streamsActive.inc()
  reply.raw.once('close', () => metrics.streamsActive.dec())
  return reply.send(bodyStream(chunks, {
    onBytes: (n) => metrics.bytesStreamed.inc({ format }, n),
    recycle: { response: reply.raw, recycler }
  }))
}

function setSuccessHeaders (reply: FastifyReply, rep: Representation, range: ByteRange | undefined, length: number): FastifyReply {
  setRepresentationHeaders(reply, rep)
  reply.header('content-length', String(length))
  if (range !== undefined) {
    reply.code(206).header('content-range', contentRange(range.first, range.last, rep.encoding.totalBytes))
  }
  return reply
}

/**
 * Bodies up to this size are computed first and sent as one buffer. Streaming them would cost more
 * than their bytes: a Readable, a pipe and end-of-stream listeners per response halve the request
 * rate (docs/performance.md, small requests). An engine error then still becomes a problem
 * response, since nothing has been sent. Larger bodies stream, so that a client sees the first
 * bytes before the last are computed, and a failure part way cuts the connection.
 */
export const SMALL_BODY_BYTES = 16 * 1024

async function collect (chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = []
  for await (const chunk of chunks) parts.push(chunk)
  return Buffer.concat(parts)
}

function sendSmall (
  ctx: ServiceContext,
  reply: FastifyReply,
  rep: Representation,
  plan: Plan,
  range: ByteRange | undefined,
  length: number
): FastifyReply | Promise<FastifyReply> {
  const { encoding } = rep
  const size = itemSize(plan.dtype)
  const send = (body: Buffer): FastifyReply => {
    ctx.metrics.bytesStreamed.inc({ format: encoding.format }, body.length)
    return setSuccessHeaders(reply, rep, range, length).send(body)
  }
  const parts = mapTensorRange(encoding, size, range)
  const covered = parts.elements
  // Tiny float32 ranges: the cpu engine computes them on this thread, no worker round trip.
  const now = covered.start === covered.end ? new Uint8Array(0) : ctx.engine.computeNow?.(plan, covered)
  if (now !== undefined) return send(encodeBodyNow(parts, size, now))
  return collect(ctx.engine.stream(plan, covered)).then((bytes) => send(encodeBodyNow(parts, size, bytes)))
}
