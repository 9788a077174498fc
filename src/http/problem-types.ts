import { ERROR_STATUS, type ErrorCode } from '../core/errors.ts'

/**
 * RFC 9457 §3.1.3: a problem type's `title` is the same for every occurrence; what varies goes into
 * `detail`. Each code also gets a sentence for the type's documentation page (GET /problems/{code}),
 * which is what the `type` URI resolves to (§3.1.1: it SHOULD lead to human-readable documentation).
 */
export const PROBLEM_TYPES: Record<ErrorCode, { title: string, description: string }> = {
  'unknown-initializer': { title: 'Unknown initializer', description: 'The initializer id names no catalog entry; GET /v1/initializers lists them.' },
  'invalid-shape': { title: 'Invalid shape', description: 'The shape is not a list of non-negative integers, or has too many dimensions.' },
  'tensor-too-large': { title: 'Tensor too large', description: 'The tensor exceeds the configured element or byte limits (MAX_ELEMENTS, MAX_BYTES).' },
  'unsupported-dtype': { title: 'Unsupported dtype', description: 'The initializer cannot produce the requested dtype; its catalog entry lists the ones it can.' },
  'unknown-parameter': { title: 'Unknown parameter', description: 'A parameter was given that the initializer does not take (gain included).' },
  'invalid-parameter': { title: 'Invalid parameter', description: 'A parameter has the wrong type or lies outside its range.' },
  'missing-parameter': { title: 'Missing parameter', description: 'The initializer requires a parameter that was not given.' },
  'not-square': { title: 'Shape not square', description: 'The initializer needs a square 2-D shape.' },
  'invalid-rank': { title: 'Invalid rank', description: 'The shape has too few or too many dimensions for the initializer (fan-based initializers need at least 2).' },
  'invalid-seed': { title: 'Invalid seed', description: 'A seed is an unsigned 64-bit integer: a JSON number up to 2^53-1 or a decimal string up to 2^64-1.' },
  'invalid-key': { title: 'Invalid key', description: 'A key is two uint32 words [k0, k1], given instead of seed/draw.' },
  'invalid-draw': { title: 'Invalid draw', description: 'draw is the 0-based index of the random call after seeding, up to MAX_DRAW.' },
  'invalid-profile': { title: 'Invalid profile', description: 'The profile names no pinned algorithm; GET /v1/initializers/{id} lists the profiles.' },
  'invalid-config': { title: 'Invalid initializer config', description: 'A Keras config object is malformed or contradicts the request.' },
  'invalid-request': { title: 'Invalid request', description: 'The request does not match the operation\'s schema (see the OpenAPI document).' },
  'invalid-manifest': { title: 'Invalid manifest', description: 'A checkpoint manifest is malformed (names, shapes or metadata).' },
  'not-acceptable': { title: 'Not acceptable', description: 'No representation matches the Accept header (RFC 9110 §15.5.7); the problem lists the media types on offer.' },
  'json-too-large': { title: 'Too large for JSON', description: 'The JSON representation is bounded (JSON_MAX_ELEMENTS); fetch the tensor in a binary format instead.' },
  'range-not-satisfiable': { title: 'Range not satisfiable', description: 'The Range does not overlap the representation (RFC 9110 §15.5.17); Content-Range gives its length.' },
  'not-found': { title: 'Not found', description: 'No resource at this URL.' },
  'method-not-allowed': { title: 'Method not allowed', description: 'The resource does not support this method; the Allow header lists the ones it does (RFC 9110 §15.5.6).' },
  'precondition-failed': { title: 'Precondition failed', description: 'If-Match names no current entity tag of the representation (RFC 9110 §13.1.1, §15.5.13).' },
  'unsupported-media-type': { title: 'Unsupported media type', description: 'The request body must be application/json.' },
  'payload-too-large': { title: 'Payload too large', description: 'The request body exceeds the body limit.' },
  overloaded: { title: 'Service overloaded', description: 'The engine queue is full; retry after the Retry-After delay.' },
  'engine-unavailable': { title: 'Engine unavailable', description: 'The engine is not ready or has stopped.' },
  internal: { title: 'Internal error', description: 'An unexpected error; it is logged with the request id.' }
}

export const PROBLEM_CODES = Object.keys(ERROR_STATUS) as ErrorCode[]

export function isProblemCode (value: string): value is ErrorCode {
  return Object.hasOwn(ERROR_STATUS, value)
}

/** RFC 9457 §3.1.1: a URI reference, resolved against the response's URL to this service's page. */
export function problemTypeUri (code: ErrorCode): string {
  return `/problems/${code}`
}
