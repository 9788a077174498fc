import { ProblemRef } from './problem.ts'

/**
 * OpenAPI 3.1 Response Objects, shared by the routes' `schema.response`: they only
 * document responses in openapi/openapi.json and build none. What is sent is decided by
 * send-representation.ts and problem.ts.
 */

/** An OpenAPI response of problem details (RFC 9457 §3: application/problem+json). */
export function problemResponse (description: string): Record<string, unknown> {
  return { description, content: { 'application/problem+json': { schema: ProblemRef } } }
}

/** The client-error response every operation declares. */
export const CLIENT_ERROR = { '4xx': problemResponse('The request is invalid; `code` says why and `field` where.') }

/**
 * A binary body. `{type: string, format: binary}` is what SDK generators turn into Blob
 * (node-stack-notes §2.3); OpenAPI 3.1 keeps `format: binary` in its format registry for this.
 */
export const BINARY_BODY = { type: 'string', format: 'binary' } as const

/** RFC 9110 §10.2.3, as the 429 and 503 problems carry it. */
const RETRY_AFTER = { 'Retry-After': { type: 'integer', minimum: 0, description: 'Seconds to wait before retrying.' } }

/** An OpenAPI response of problem details with response headers. */
function problemWithHeaders (description: string, headers: Record<string, unknown>): Record<string, unknown> {
  return { ...problemResponse(description), headers }
}

/**
 * The security scheme of a deployment with API keys (API_KEYS_FILE, http/access.ts): optional,
 * since a deployment without the file takes none. `{}` is the alternative of no credentials
 * (OpenAPI 3.1 §4.8.30: an empty Security Requirement Object makes security optional).
 */
export const BEARER_SCHEME = 'bearerAuth'
export const OPTIONAL_BEARER: Array<Record<string, string[]>> = [{}, { [BEARER_SCHEME]: [] }]

/** 401 and 429: what admission per client (http/access.ts) answers on every route but the probes. */
export const ACCESS_ERRORS = {
  401: problemWithHeaders('Only when the server has API_KEYS_FILE: the key is missing or not valid (code unauthorized).', {
    'WWW-Authenticate': { description: 'Bearer realm="tensor-init", with error="invalid_token" when a key was sent but is not valid (RFC 6750 §3).', type: 'string' }
  }),
  429: problemWithHeaders('Only when the server has RATE_LIMIT_MAX: the client used up its requests for the window (code rate-limited).', {
    ...RETRY_AFTER,
    'RateLimit-Limit': { description: 'Requests per window.', type: 'integer' },
    'RateLimit-Remaining': { description: 'Requests left in the window.', type: 'integer' },
    'RateLimit-Reset': { description: 'Seconds until the window resets.', type: 'integer' }
  })
}

/** 503 overloaded: admission by what is held (http/admission.ts), on the operations that compute tensors. */
export const OVERLOADED = {
  503: problemWithHeaders('The service holds as many responses as it may (MAX_STREAMS, MAX_BUFFERED_BYTES) or the engine queue is full (code overloaded), or the engine is not ready (code engine-unavailable); retry after Retry-After.', RETRY_AFTER)
}
