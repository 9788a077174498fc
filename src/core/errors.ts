/**
 * Every error code the service answers with, in one table (like fastify's lib/errors.js): its HTTP
 * status, its title and the sentence documenting it.
 *
 * Modules below src/http never see HTTP: they raise a TensorInitError with a code, and the HTTP
 * layer maps the code to an RFC 9457 problem+json response through this table: the code becomes
 * the problem's stable `code` member and its `type` URI, `status` the HTTP status, `title` the
 * title. RFC 9457 §3.1.3: a problem type's title is the same for every occurrence; what varies goes
 * into `detail`. `description` is the type's documentation page (GET /problems/{code}), which is
 * what the `type` URI resolves to (§3.1.1: it SHOULD lead to human-readable documentation).
 * The order is the order of the Problem schema's `code` enum in the OpenAPI document.
 */
export const ERROR_CODES = {
  'unknown-initializer': { status: 404, title: 'Unknown initializer', description: 'The initializer id names no catalog entry; GET /v1/initializers lists them.' },
  'invalid-shape': { status: 400, title: 'Invalid shape', description: 'The shape is not a list of non-negative integers, or has too many dimensions.' },
  'tensor-too-large': { status: 413, title: 'Tensor too large', description: 'The tensor exceeds the configured element or byte limits (MAX_ELEMENTS, MAX_BYTES).' },
  'unsupported-dtype': { status: 400, title: 'Unsupported dtype', description: 'The initializer cannot produce the requested dtype; its catalog entry lists the ones it can.' },
  'unknown-parameter': { status: 400, title: 'Unknown parameter', description: 'A parameter was given that the initializer does not take (gain included).' },
  'invalid-parameter': { status: 400, title: 'Invalid parameter', description: 'A parameter has the wrong type or lies outside its range.' },
  'missing-parameter': { status: 400, title: 'Missing parameter', description: 'The initializer requires a parameter that was not given.' },
  'not-square': { status: 400, title: 'Shape not square', description: 'The initializer needs a square 2-D shape.' },
  'invalid-rank': { status: 400, title: 'Invalid rank', description: 'The shape has too few or too many dimensions for the initializer (fan-based initializers need at least 2).' },
  'invalid-seed': { status: 400, title: 'Invalid seed', description: 'A seed is an unsigned 64-bit integer: a JSON number up to 2^53-1 or a decimal string up to 2^64-1.' },
  'invalid-key': { status: 400, title: 'Invalid key', description: 'A key is two uint32 words [k0, k1], given instead of seed/draw.' },
  'invalid-draw': { status: 400, title: 'Invalid draw', description: 'draw is the 0-based index of the random call after seeding, up to MAX_DRAW.' },
  'invalid-profile': { status: 400, title: 'Invalid profile', description: 'The profile names no pinned algorithm; GET /v1/initializers/{id} lists the profiles.' },
  'invalid-config': { status: 400, title: 'Invalid initializer config', description: 'A Keras config object is malformed or contradicts the request.' },
  'invalid-request': { status: 400, title: 'Invalid request', description: 'The request does not match the operation\'s schema (see the OpenAPI document).' },
  'invalid-manifest': { status: 400, title: 'Invalid manifest', description: 'A checkpoint manifest is malformed (names, shapes or metadata).' },
  'not-acceptable': { status: 406, title: 'Not acceptable', description: 'No representation matches the Accept header (RFC 9110 §15.5.7); the problem lists the media types on offer.' },
  'json-too-large': { status: 413, title: 'Too large for JSON', description: 'The JSON representation is bounded (JSON_MAX_ELEMENTS); fetch the tensor in a binary format instead.' },
  'range-not-satisfiable': { status: 416, title: 'Range not satisfiable', description: 'The Range does not overlap the representation (RFC 9110 §15.5.17); Content-Range gives its length.' },
  'not-found': { status: 404, title: 'Not found', description: 'No resource at this URL.' },
  'method-not-allowed': { status: 405, title: 'Method not allowed', description: 'The resource does not support this method; the Allow header lists the ones it does (RFC 9110 §15.5.6).' },
  'precondition-failed': { status: 412, title: 'Precondition failed', description: 'If-Match names no current entity tag of the representation (RFC 9110 §13.1.1, §15.5.13).' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type', description: 'The request body must be application/json.' },
  'payload-too-large': { status: 413, title: 'Payload too large', description: 'The request body exceeds the body limit.' },
  unauthorized: { status: 401, title: 'Unauthorized', description: 'This deployment requires an API key: send Authorization: Bearer <key> (RFC 6750 §2.1). WWW-Authenticate names the scheme, and error="invalid_token" when the key sent is not one of the configured keys (RFC 6750 §3).' },
  'rate-limited': { status: 429, title: 'Too many requests', description: 'The client (its API key, else its address) has used up its requests for the window (RATE_LIMIT_MAX per RATE_LIMIT_WINDOW_MS; RFC 6585 §4); retry after the Retry-After delay. The RateLimit headers give the quota.' },
  'request-timeout': { status: 408, title: 'Request timeout', description: 'The client did not send its request headers or body in time (HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS; RFC 9110 §15.5.9); the connection is closed.' },
  'uri-too-long': { status: 414, title: 'URI too long', description: 'The request target is longer than the service reads (RFC 9110 §15.5.15); tensor requests need only short queries, and long ones go in a POST body.' },
  'header-too-large': { status: 431, title: 'Request header fields too large', description: 'The request line and header fields together exceed the server\'s limit (RFC 6585 §5); the connection is closed.' },
  'expectation-failed': { status: 417, title: 'Expectation failed', description: 'The Expect header asks for something other than 100-continue, the only expectation HTTP defines (RFC 9110 §10.1.1, §15.5.18).' },
  overloaded: { status: 503, title: 'Service overloaded', description: 'The engine queue is full; retry after the Retry-After delay.' },
  'engine-unavailable': { status: 503, title: 'Engine unavailable', description: 'The engine is not ready or has stopped.' },
  internal: { status: 500, title: 'Internal error', description: 'An unexpected error; it is logged with the request id.' }
} as const satisfies Record<string, { status: number, title: string, description: string }>

export type ErrorCode = keyof typeof ERROR_CODES

/** Every code, in table order. */
export const ALL_ERROR_CODES = Object.keys(ERROR_CODES) as ErrorCode[]

export function isErrorCode (value: string): value is ErrorCode {
  return Object.hasOwn(ERROR_CODES, value)
}

/**
 * A request the service refuses, named by its code. It carries no HTTP status: that is the HTTP
 * layer's mapping of the code (ERROR_CODES).
 */
export class TensorInitError extends Error {
  readonly code: ErrorCode
  /** JSON Pointer of the offending input (e.g. "/shape" or "/params/mode"), when one field is to blame. */
  readonly field: string | undefined

  constructor (code: ErrorCode, message: string, field?: string) {
    super(message)
    this.name = 'TensorInitError'
    this.code = code
    this.field = field
  }
}

export function isTensorInitError (err: unknown): err is TensorInitError {
  return err instanceof TensorInitError
}

/** The most characters of a client-supplied string that an error message or log line repeats. */
export const ECHO_LIMIT = 200

/**
 * A client-supplied string as repeated in an error (a parameter name, a value, a path): at most
 * `limit` characters, the rest replaced by an ellipsis, so that a 1 MB parameter name does not
 * become a 2 MB error body and log line.
 */
export function clip (text: string, limit: number = ECHO_LIMIT): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`
}
