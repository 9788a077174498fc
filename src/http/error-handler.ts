import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ERROR_CODES, isTensorInitError, type ErrorCode } from '../core/errors.ts'
import { NotAcceptable } from './negotiate.ts'
import { makeProblem, sendProblem } from './problem.ts'
import { validationProblem } from './validation.ts'

/**
 * fastify's own client errors, by code, and the stable code each becomes; fastify's status for
 * each (lib/errors.js, and 400 for a body that does not parse) is the code's in ERROR_CODES.
 */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload-too-large',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid-request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid-request',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid-request',
  FST_ERR_BAD_URL: 'invalid-request'
}

function handleError (this: FastifyInstance, error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (isTensorInitError(error)) {
    // A domain error names a code; its HTTP status is the code's, from the one table.
    const { status } = ERROR_CODES[error.code]
    // 503s are the engine saying "later", not a client mistake (RFC 9110 §10.2.3 Retry-After).
    if (status === 503) reply.header('retry-after', '1')
    if (status >= 500) request.log.error({ err: error }, 'engine failure')
    return sendProblem(reply, makeProblem(request, error.code, {
      detail: error.message,
      field: error.field,
      ...(error instanceof NotAcceptable ? { accept: error.offered } : {})
    }))
  }
  if (error.validation !== undefined) {
    const v = validationProblem(error.validation, error.validationContext)
    return sendProblem(reply, makeProblem(request, v.code, { detail: v.detail, field: v.field, errors: v.errors }))
  }
  const status = error.statusCode ?? 500
  if (status >= 400 && status < 500) {
    const code = FASTIFY_CODES[error.code] ?? (error instanceof SyntaxError ? 'invalid-request' : undefined)
    if (code !== undefined) {
      const init = code === 'unsupported-media-type'
        ? { detail: `Content-Type ${request.headers['content-type'] ?? '(none)'} is not supported; send application/json.`, accept: ['application/json'] }
        : code === 'payload-too-large'
          ? bodyTooLarge(request.routeOptions.bodyLimit ?? this.initialConfig.bodyLimit ?? 0)
          : { detail: error.message, field: code === 'invalid-request' && error.code !== 'FST_ERR_BAD_URL' ? '' : undefined }
      return sendProblem(reply, makeProblem(request, code, init))
    }
    // A client error of fastify's with no code of ours keeps fastify's status.
    return sendProblem(reply, makeProblem(request, 'invalid-request', { detail: error.message, status }))
  }
  // Anything else is a bug: log it in full, tell the client only that it happened.
  request.log.error({ err: error }, 'unhandled error')
  return sendProblem(reply, makeProblem(request, 'internal', {
    detail: `An unexpected error occurred; it is logged under request id ${request.id}.`
  }))
}

/** The route's own limit (the checkpoint route's is larger than the app's). */
function bodyTooLarge (limit: number): { detail: string, limit: number } {
  return { detail: `The request body exceeds ${limit} bytes.`, limit }
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const

/**
 * No route for this method and path. If the path has routes under other methods, the resource
 * exists: 405 with the Allow field listing them (RFC 9110 §15.5.6, §10.2.1); otherwise 404.
 */
function handleNotFound (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const path = request.url.split('?', 1)[0] ?? '/'
  const allowed = METHODS.filter((method) => this.findRoute({ method, url: path }) !== null)
  if (allowed.length > 0) {
    reply.header('allow', allowed.join(', '))
    return sendProblem(reply, makeProblem(request, 'method-not-allowed', {
      detail: `${request.method} is not supported here; this resource answers ${allowed.join(', ')}.`
    }))
  }
  return sendProblem(reply, makeProblem(request, 'not-found', {
    detail: `No route ${request.method} ${path.length > 200 ? path.slice(0, 197) + '...' : path}. The API is described at /openapi.json.`
  }))
}

/**
 * Errors fastify raises before routing (a URL that does not decode, FST_ERR_BAD_URL) bypass the
 * error handler; this is the server's `frameworkErrors` option.
 */
export function handleFrameworkError (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  // No hook has run for this request, so the id header is set here.
  reply.header('x-request-id', request.id)
  sendProblem(reply, makeProblem(request, 'invalid-request', {
    detail: error.code === 'FST_ERR_BAD_URL' ? 'The URL is not valid percent-encoded UTF-8.' : error.message
  }))
}

/** Every error and unknown route answers application/problem+json (RFC 9457). */
export function installErrorHandlers (app: FastifyInstance): void {
  app.setErrorHandler(handleError)
  app.setNotFoundHandler(handleNotFound)
}
