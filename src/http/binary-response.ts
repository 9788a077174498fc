import type { FastifyReply, FastifyRequest } from 'fastify'
import type { ElementRange } from '../engines/engine.ts'
import { encodeBody } from '../formats/body.ts'
import type { BinaryFormat, Encoding } from '../formats/encoding.ts'
import { npyEncoding } from '../formats/npy.ts'
import { contentRange } from '../formats/range.ts'
import { rawEncoding } from '../formats/raw.ts'
import { safetensorsEncoding } from '../formats/safetensors.ts'
import { itemSize } from '../initializers/dtype.ts'
import type { Plan } from '../initializers/plan.ts'
import { bodyStream, clientGoneSignal } from './body-stream.ts'
import { noneMatchFails } from './conditional.ts'
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
 * If-None-Match answers 304 for them) and GET alone honours Range (§14.2: "GET is the only method
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
): FastifyReply {
  const rep = describeBinary(ctx, plan, format)
  const { encoding } = rep
  if (method !== 'POST' && noneMatchFails(request.headers['if-none-match'], rep.etag)) {
    return sendNotModified(reply, rep.etag)
  }

  // Range handling is defined for GET only (RFC 9110 §14.2); HEAD and POST get the whole length.
  const range = method === 'GET' ? requestedRange(request, rep.etag, encoding.totalBytes) : undefined
  if (range === 'unsatisfiable') return sendRangeNotSatisfiable(request, reply, encoding.totalBytes, 'representation')

  setRepresentationHeaders(reply, rep)
  const length = range === undefined ? encoding.totalBytes : range.last - range.first + 1
  reply.header('content-length', String(length))
  if (range !== undefined) {
    reply.code(206).header('content-range', contentRange(range.first, range.last, encoding.totalBytes))
  }
  if (method === 'HEAD') return reply.send()

  const { metrics, engine } = ctx
  const signal = clientGoneSignal(reply, () => metrics.streamsAborted.inc({ format }))
  const produce = (elements: ElementRange): AsyncIterable<Uint8Array> => engine.stream(plan, elements, { signal })
  const chunks = encodeBody(encoding, itemSize(plan.dtype), range, produce)
  metrics.streamsActive.inc()
  reply.raw.once('close', () => metrics.streamsActive.dec())
  return reply.send(bodyStream(chunks, { onBytes: (n) => metrics.bytesStreamed.inc({ format }, n) }))
}
