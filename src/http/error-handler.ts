import { randomUUID } from 'node:crypto'
import type { Socket } from 'node:net'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { clip, ERROR_CODES, isTensorInitError, type ErrorCode } from '../core/errors.ts'
import { NotAcceptable } from './negotiate.ts'
import { makeProblem, PROBLEM_CONTENT_TYPE, problemTypeUri, sendProblem } from './problem.ts'
import { REQUEST_ID_HEADER } from './request-id.ts'
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
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    // fastify's JSON parser (secure-json-parse) refuses a `__proto__` member and a `constructor`
    // member holding `prototype` (onProtoPoisoning/onConstructorPoisoning: 'error', fastify's
    // default, kept: such a body never becomes an object, so nothing downstream can merge it into
    // a prototype), and it reports that as any other syntax error: the detail names both causes.
    return sendProblem(reply, makeProblem(request, 'invalid-request', {
      detail: 'The body is not valid JSON, or it has a member named __proto__ (or a constructor member holding prototype): such members are refused (prototype poisoning); no request member or initializer parameter has those names.',
      field: ''
    }))
  }
  if (status >= 400 && status < 500) {
    const code = FASTIFY_CODES[error.code] ?? (error instanceof SyntaxError ? 'invalid-request' : undefined)
    if (code !== undefined) {
      const init = code === 'unsupported-media-type'
        ? { detail: `Content-Type ${clip(request.headers['content-type'] ?? '(none)')} is not supported; send application/json.`, accept: ['application/json'] }
        : code === 'payload-too-large'
          ? bodyTooLarge(request.routeOptions.bodyLimit ?? this.initialConfig.bodyLimit ?? 0)
          : { detail: clip(error.message), field: code === 'invalid-request' && error.code !== 'FST_ERR_BAD_URL' ? '' : undefined }
      return sendProblem(reply, makeProblem(request, code, init))
    }
    // A client error of fastify's with no code of ours keeps fastify's status. Its message may
    // quote the URL (find-my-way's, for a path parameter past maxParamLength): bounded.
    return sendProblem(reply, makeProblem(request, 'invalid-request', { detail: clip(error.message), status }))
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
  // A route for this very method that called callNotFound (a missing file under /docs, served by
  // @fastify/static's wildcard route) found no resource: 404, not a 405 that would list the method.
  if (allowed.length > 0 && !allowed.includes(request.method as typeof METHODS[number])) {
    reply.header('allow', allowed.join(', '))
    return sendProblem(reply, makeProblem(request, 'method-not-allowed', {
      detail: `${request.method} is not supported here; this resource answers ${allowed.join(', ')}.`
    }))
  }
  return sendProblem(reply, makeProblem(request, 'not-found', {
    detail: `No route ${clip(request.method, 20)} ${clip(path)}. The API is described at /openapi.json.`
  }))
}

/**
 * Errors fastify raises before routing (a URL that does not decode, FST_ERR_BAD_URL) bypass the
 * error handler; this is the server's `frameworkErrors` option.
 */
export function handleFrameworkError (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  // No hook has run for this request, so the id and nosniff headers are set here.
  reply.header(REQUEST_ID_HEADER, request.id)
  reply.header('x-content-type-options', 'nosniff')
  sendProblem(reply, makeProblem(request, 'invalid-request', {
    detail: error.code === 'FST_ERR_BAD_URL' ? 'The URL is not valid percent-encoded UTF-8.' : clip(error.message)
  }))
}

/**
 * The longest request target read (RFC 9110 §4.1 and RFC 9112 §3 recommend supporting at least
 * 8000 octets); a longer one is 414. Node's header limit (16 KiB with the request line) is the
 * hard bound above it, answered 431 or 414 by handleClientError.
 */
export const MAX_URL_LENGTH = 8192

/**
 * Node's http server emits clientError for a request it cannot parse or that arrives too slowly;
 * no fastify request exists, so the answer is written on the socket: a minimal problem+json
 * response (RFC 9457) that closes the connection. This is fastify's `clientErrorHandler` option.
 */
export function handleClientError (this: FastifyInstance, error: Error, socket: Socket): void {
  const { code: nodeCode, rawPacket } = error as { code?: unknown, rawPacket?: unknown }
  if (nodeCode === 'ECONNRESET' || socket.destroyed) return
  const packet = Buffer.isBuffer(rawPacket) ? rawPacket : undefined
  const code = clientErrorCode(nodeCode, packet)
  const requestId = randomUUID()
  this.log.debug({ err: error, requestId }, 'client error')
  if (socket.writable) {
    const { status, title } = ERROR_CODES[code]
    const body = JSON.stringify({
      type: problemTypeUri(code),
      title,
      status,
      detail: CLIENT_ERROR_DETAIL[code] ?? 'The request is not valid HTTP/1.1 (RFC 9112).',
      // The request target, when its line was read; '*' (the server as a whole) otherwise.
      instance: clip(requestTarget(packet) ?? '*'),
      code,
      requestId
    })
    socket.write(`HTTP/1.1 ${status} ${title}\r\n` +
      `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n${REQUEST_ID_HEADER}: ${requestId}\r\n` +
      `Connection: close\r\n\r\n${body}`)
  }
  socket.destroy(error)
}

const CLIENT_ERROR_DETAIL: Partial<Record<ErrorCode, string>> = {
  'request-timeout': 'The request was not received in time; the connection is closed.',
  'header-too-large': 'The request header fields are too large; the connection is closed.',
  'uri-too-long': 'The request target is too long; the connection is closed.'
}

function clientErrorCode (nodeCode: unknown, packet: Buffer | undefined): ErrorCode {
  if (nodeCode === 'ERR_HTTP_REQUEST_TIMEOUT') return 'request-timeout'
  if (nodeCode === 'HPE_HEADER_OVERFLOW') {
    // The request line alone longer than the URL limit (or not even ended): 414, else 431.
    if (packet === undefined) return 'header-too-large'
    const end = packet.indexOf('\r\n')
    return end === -1 || end > MAX_URL_LENGTH ? 'uri-too-long' : 'header-too-large'
  }
  return 'invalid-request'
}

/** The request target of a buffered request line ("GET /path HTTP/1.1"), without its query. */
function requestTarget (packet: Buffer | undefined): string | undefined {
  if (packet === undefined) return undefined
  const line = packet.subarray(0, 4096).toString('latin1').split('\r\n', 1)[0] ?? ''
  const target = /^[A-Z]+ (\/[^ ?]*)/.exec(line)?.[1]
  return target === undefined ? undefined : target.replace(/[^\x21-\x7e]/g, '?')
}

/**
 * Before routing: a request target over MAX_URL_LENGTH is 414 (RFC 9110 §15.5.15); an Expect
 * other than 100-continue is 417 (§10.1.1: the only expectation defined; node answers
 * 100-continue itself and hands other expectations to the server's checkExpectation event,
 * which installErrorHandlers routes here).
 */
async function checkRequestLine (request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (request.url.length > MAX_URL_LENGTH) {
    await sendProblem(reply, makeProblem(request, 'uri-too-long', {
      detail: `The request target has ${request.url.length} characters; at most ${MAX_URL_LENGTH} are read. Send long requests as a POST body.`,
      limit: MAX_URL_LENGTH
    }))
    return
  }
  const expect = request.headers.expect
  if (expect !== undefined && expect.trim().toLowerCase() !== '100-continue') {
    reply.header('connection', 'close')
    await sendProblem(reply, makeProblem(request, 'expectation-failed', {
      detail: `Expect: ${clip(expect)} cannot be met; the only expectation is 100-continue.`,
      field: '/headers/expect'
    }))
  }
}

/**
 * Every error and unknown route answers application/problem+json (RFC 9457), and every response
 * carries X-Content-Type-Options: nosniff (problem bodies quote client text; a browser must never
 * sniff one, or a tensor, into HTML).
 */
export function installErrorHandlers (app: FastifyInstance): void {
  app.setErrorHandler(handleError)
  app.setNotFoundHandler(handleNotFound)
  app.addHook('onRequest', checkRequestLine)
  app.addHook('onSend', async (_request, reply) => { reply.header('x-content-type-options', 'nosniff') })
  // An expectation node cannot meet: without a listener node answers a bare 417 itself; with this
  // one the request goes through fastify, whose onRequest hook answers the problem.
  app.server.on('checkExpectation', (req, res) => { app.server.emit('request', req, res) })
}
