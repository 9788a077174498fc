import type { FastifyReply, FastifyRequest } from 'fastify'
import type { ByteRange } from '../formats/byte-range.ts'
import { parseRange, unsatisfiedContentRange } from './range-header.ts'
import { ifRangeAllows } from './conditional.ts'
import { makeProblem, sendProblem } from './problem.ts'

/**
 * The one byte range a request asks for, if it applies (RFC 9110 §14.2): undefined means "send the
 * whole representation" (no Range, a multi-range or malformed one, or an If-Range that does not
 * match, §13.1.5); 'unsatisfiable' means answer 416.
 */
export function requestedRange (request: FastifyRequest, etag: string, totalBytes: number): ByteRange | 'unsatisfiable' | undefined {
  // A repeated If-Range is malformed: it then does not match, and the whole representation is sent.
  const ifRange = request.headers['if-range']
  if (!ifRangeAllows(Array.isArray(ifRange) ? '' : ifRange, etag)) return undefined
  const requested = parseRange(request.headers.range, totalBytes)
  if (requested.kind === 'unsatisfiable') return 'unsatisfiable'
  return requested.kind === 'single' ? { first: requested.first, last: requested.last } : undefined
}

/** §15.5.17: a 416 SHOULD carry Content-Range with the complete length. */
export function sendRangeNotSatisfiable (request: FastifyRequest, reply: FastifyReply, totalBytes: number, what: string): FastifyReply {
  return sendProblem(reply, makeProblem(request, 'range-not-satisfiable', {
    detail: `The range ${String(request.headers.range)} does not overlap the ${totalBytes}-byte ${what}.`,
    field: '/headers/range'
  }), { 'content-range': unsatisfiedContentRange(totalBytes) })
}
