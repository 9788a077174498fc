import type { FastifyReply, FastifyRequest } from 'fastify'
import { clip, ERROR_CODES, type ErrorCode } from '../core/errors.ts'
import type { Problem } from './schemas/problem.ts'

export const PROBLEM_CONTENT_TYPE = 'application/problem+json'

/** RFC 9457 §3.1.1: a URI reference, resolved against the response's URL to this service's page. */
export function problemTypeUri (code: ErrorCode): string {
  return `/problems/${code}`
}

/**
 * The members a caller chooses; type, title, instance and requestId are derived, and the status
 * is the code's (ERROR_CODES) unless `status` says otherwise.
 */
export interface ProblemInit {
  detail: string
  /** Only for a client error fastify raised with a status of its own and no code of ours. */
  status?: number
  field?: string | undefined
  errors?: Array<{ pointer: string, detail: string }>
  accept?: string[]
  limit?: number
}

/**
 * The most characters of `detail`: a sentence that may quote several client strings, each
 * already clipped to ECHO_LIMIT where it is written; this is the backstop for the whole.
 */
const DETAIL_LIMIT = 1000

/**
 * A problem for this request. `instance` (the path) and `field` (a pointer that may name a
 * client's parameter) are client-supplied text, clipped to ECHO_LIMIT characters (core/errors.ts
 * clip); `detail` to DETAIL_LIMIT. The request id is already safe (http/request-id.ts).
 */
export function makeProblem (request: FastifyRequest, code: ErrorCode, init: ProblemInit): Problem {
  const problem: Problem = {
    type: problemTypeUri(code),
    title: ERROR_CODES[code].title,
    status: init.status ?? ERROR_CODES[code].status,
    detail: clip(init.detail, DETAIL_LIMIT),
    instance: clip(request.url.split('?', 1)[0] ?? '/'),
    code,
    requestId: request.id
  }
  if (init.field !== undefined) problem.field = clip(init.field)
  if (init.errors !== undefined) problem.errors = init.errors
  if (init.accept !== undefined) problem.accept = init.accept
  if (init.limit !== undefined) problem.limit = init.limit
  return problem
}

/** Representation metadata that describes a tensor body and must not describe an error. */
const REPRESENTATION_HEADERS = /^(etag|accept-ranges|content-disposition|content-range|content-length|vary|x-tensor-.*)$/

/**
 * Sends an RFC 9457 problem. Headers set for a tensor (which a stream may already have copied onto
 * the raw response before failing on its first chunk) must not describe the error, and errors
 * are not `immutable`.
 */
export function sendProblem (reply: FastifyReply, problem: Problem, headers: Record<string, string> = {}): FastifyReply {
  for (const name of Object.keys(reply.getHeaders())) {
    if (REPRESENTATION_HEADERS.test(name)) reply.removeHeader(name)
  }
  if (!reply.raw.headersSent) {
    for (const name of reply.raw.getHeaderNames()) {
      if (REPRESENTATION_HEADERS.test(name)) reply.raw.removeHeader(name)
    }
  }
  reply.header('cache-control', 'no-store')
  reply.headers(headers)
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem)
}
