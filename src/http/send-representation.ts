import type { FastifyReply, FastifyRequest } from 'fastify'
import { freeNow, ownsWholeBuffer } from '../core/free-now.ts'
import { ChunkRecycler } from '../engines/chunk-recycler.ts'
import type { ByteRange } from '../formats/byte-range.ts'
import { streamHoldBound } from './admission.ts'
import { bodyStream, clientGoneSignal } from './body-stream.ts'
import { evaluatePreconditions } from './conditional.ts'
import type { ServiceContext } from './context.ts'
import { contentRange } from './range-header.ts'
import { requestedRange, sendRangeNotSatisfiable } from './range-request.ts'
import type { Representation } from './representation.ts'

export type Method = 'GET' | 'HEAD' | 'POST'

/** What a request defines for the representation it asks for (RFC 9110). */
export interface MethodSemantics {
  /** If-Match and If-None-Match are evaluated (§13.2.1). */
  conditional: boolean
  /** A single Range (and If-Range) is honoured when the length is known (§14.2). */
  ranges: boolean
  /** Only the header fields are sent and nothing is computed (HEAD, §9.3.2). */
  headersOnly: boolean
}

/**
 * GET and HEAD are conditional (§13.2.1: a failed If-Match answers 412, a matching If-None-Match
 * 304) and GET alone honours Range (§14.2: "GET is the only method for which range handling is
 * defined"); POST gets the full representation unless its operation defines more (checkpoints do).
 */
export const METHOD_SEMANTICS: Readonly<Record<Method, MethodSemantics>> = {
  GET: { conditional: true, ranges: true, headersOnly: false },
  HEAD: { conditional: true, ranges: false, headersOnly: true },
  POST: { conditional: false, ranges: false, headersOnly: false }
}

/**
 * Bodies up to this size are computed first and sent as one buffer. Streaming them would cost more
 * than their bytes: a Readable, a pipe and end-of-stream listeners per response halve the request
 * rate (docs/performance.md, small requests). An engine error then still becomes a problem
 * response, since nothing has been sent. Larger bodies stream, so that a client sees the first
 * bytes before the last are computed, and a failure part way cuts the connection.
 */
export const SMALL_BODY_BYTES = 16 * 1024

/**
 * Answers a request for `rep`, in RFC 9110's order: preconditions (§13.2.2), then Range and
 * If-Range (§14.2, §13.1.5; 416 for an unsatisfiable one), then HEAD's header fields alone, a body
 * sent as one buffer (small, or of unknown length) or a body streamed as the socket takes it.
 */
export function sendRepresentation (
  ctx: ServiceContext,
  request: FastifyRequest,
  reply: FastifyReply,
  rep: Representation,
  semantics: MethodSemantics
): FastifyReply | Promise<FastifyReply> {
  if (semantics.conditional && evaluatePreconditions(request.headers, rep.etag) === 'not-modified') {
    return sendNotModified(reply, rep)
  }
  const total = rep.length
  if (total === undefined) {
    if (semantics.headersOnly) return reply.headers(rep.headers).send()
    // A body of unknown length may be large (JSON up to JSON_MAX_ELEMENTS): it counts as a
    // stream, and its work stops when the client goes away.
    admit(ctx, reply, rep.holdBytes ?? streamHoldBound(ctx.engine.info), true)
    return sendWhole(ctx, reply, rep, undefined, clientGoneSignal(reply), undefined)
  }

  const range = semantics.ranges ? requestedRange(request, rep.etag, total) : undefined
  if (range === 'unsatisfiable') return sendRangeNotSatisfiable(request, reply, total, rep.noun)
  const length = range === undefined ? total : range.last - range.first + 1
  if (semantics.headersOnly) return setSuccessHeaders(reply, rep, range, length).send()
  if (length <= SMALL_BODY_BYTES) {
    admit(ctx, reply, rep.holdBytes ?? length, false)
    return sendSmall(ctx, reply, rep, range, length)
  }
  admit(ctx, reply, rep.holdBytes ?? Math.min(length + SMALL_BODY_BYTES, streamHoldBound(ctx.engine.info)), true)
  return sendStream(ctx, setSuccessHeaders(reply, rep, range, length), rep, range)
}

/**
 * Reserves what the response may hold (admission.ts; throws 503 'overloaded' before anything is
 * computed or sent) until it closes, and watches that its client keeps reading (send-watchdog.ts).
 * 'close' comes after 'finish' and after an abort alike, so the reservation always returns.
 */
function admit (ctx: ServiceContext, reply: FastifyReply, bytes: number, streaming: boolean): void {
  const reservation = ctx.admission.admit(bytes, streaming)
  reply.raw.once('close', reservation.release)
  ctx.sendWatchdog.watch(reply.raw)
}

/**
 * §15.4.5: a 304 carries the fields a 200 would have had among Cache-Control, ETag and Vary, and
 * SHOULD NOT carry other representation metadata.
 */
function sendNotModified (reply: FastifyReply, rep: Representation): FastifyReply {
  const { etag, 'cache-control': cacheControl, vary } = rep.headers
  return reply.code(304).headers({ etag, 'cache-control': cacheControl, vary }).send()
}

function setSuccessHeaders (reply: FastifyReply, rep: Representation, range: ByteRange | undefined, length: number): FastifyReply {
  reply.headers(rep.headers)
  reply.header('content-length', String(length))
  if (range !== undefined) reply.code(206).header('content-range', contentRange(range.first, range.last, rep.length as number))
  return reply
}

/** The small-request path: no Readable, no recycler, no close listeners (docs/performance.md). */
function sendSmall (
  ctx: ServiceContext,
  reply: FastifyReply,
  rep: Representation,
  range: ByteRange | undefined,
  length: number
): FastifyReply | Promise<FastifyReply> {
  const now = rep.now?.(range)
  if (now === undefined) return sendWhole(ctx, reply, rep, range, undefined, length)
  ctx.metrics.bytesStreamed.inc({ format: rep.format }, now.length)
  return setSuccessHeaders(reply, rep, range, length).send(now)
}

/**
 * The body computed whole, then sent as one buffer. The header fields are set only once it
 * exists, so that a failure until then is a problem response carrying none of them.
 */
async function sendWhole (
  ctx: ServiceContext,
  reply: FastifyReply,
  rep: Representation,
  range: ByteRange | undefined,
  signal: AbortSignal | undefined,
  length: number | undefined
): Promise<FastifyReply> {
  const body = await collect(rep.stream(range, { signal }), rep.ownsChunks === true)
  ctx.metrics.bytesStreamed.inc({ format: rep.format }, body.length)
  // A body built of the representation's own chunks (a JSON document: up to tens of MB) is
  // garbage once the response is closed (its bytes written, or the socket gone), but an idle
  // process runs no full GC to return it: free it then (core/free-now.ts). 'close' comes after
  // the last write completed or was cancelled.
  if (rep.ownsChunks === true && ownsWholeBuffer(body)) reply.raw.once('close', () => { freeNow(body.buffer) })
  if (length === undefined) return reply.headers(rep.headers).send(body)
  return setSuccessHeaders(reply, rep, range, length).send(body)
}

/**
 * The chunks as one buffer. Without a recycler the chunks are the caller's to keep, so a lone
 * one is sent in place; when they are the representation's own (`owned`), the copied ones are
 * freed at once rather than at the next full GC. Engine chunks may be views of memory the engine
 * keeps (a cached whole matrix): they are never freed here.
 */
async function collect (chunks: AsyncIterable<Uint8Array>, owned: boolean): Promise<Buffer> {
  const parts: Uint8Array[] = []
  for await (const chunk of chunks) parts.push(chunk)
  const [only] = parts
  if (parts.length === 1 && only !== undefined) return Buffer.from(only.buffer, only.byteOffset, only.byteLength)
  const body = Buffer.concat(parts)
  if (owned) for (const part of parts) if (ownsWholeBuffer(part)) freeNow(part.buffer)
  return body
}

/**
 * The streamed path: chunks go back to the engine once the socket has written them
 * (body-stream.ts), and the work stops when the client goes away.
 */
function sendStream (ctx: ServiceContext, reply: FastifyReply, rep: Representation, range: ByteRange | undefined): FastifyReply {
  const { metrics } = ctx
  const { format } = rep
  const signal = clientGoneSignal(reply, () => metrics.streamsAborted.inc({ format }))
  const recycler = new ChunkRecycler()
  const chunks = rep.stream(range, { signal, recycler })
  metrics.streamsActive.inc()
  reply.raw.once('close', () => metrics.streamsActive.dec())
  return reply.send(bodyStream(chunks, {
    onBytes: (n) => metrics.bytesStreamed.inc({ format }, n),
    recycle: { response: reply.raw, recycler }
  }))
}
