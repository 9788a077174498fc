/**
 * Every domain error the service raises, in one place (like fastify's lib/errors.js).
 *
 * The HTTP layer maps a TensorInitError to an RFC 9457 problem+json response: `code` becomes the
 * problem's stable `code` member and its `type` URI, `status` the HTTP status, `field` the offending
 * input (a JSON Pointer into the request, e.g. "/shape" or "/params/mode").
 * Modules below src/http never see HTTP; they only pick a code.
 */
export const ERROR_STATUS = {
  'unknown-initializer': 404,
  'invalid-shape': 400,
  'tensor-too-large': 413,
  'unsupported-dtype': 400,
  'unknown-parameter': 400,
  'invalid-parameter': 400,
  'missing-parameter': 400,
  'not-square': 400,
  'invalid-rank': 400,
  'invalid-seed': 400,
  'invalid-key': 400,
  'invalid-draw': 400,
  'invalid-profile': 400,
  'invalid-config': 400,
  'invalid-request': 400,
  'invalid-manifest': 400,
  'not-acceptable': 406,
  'json-too-large': 413,
  'range-not-satisfiable': 416,
  'not-found': 404,
  'method-not-allowed': 405,
  'precondition-failed': 412,
  'unsupported-media-type': 415,
  'payload-too-large': 413,
  overloaded: 503,
  'engine-unavailable': 503,
  internal: 500
} as const

export type ErrorCode = keyof typeof ERROR_STATUS

export class TensorInitError extends Error {
  readonly code: ErrorCode
  readonly status: number
  /** JSON Pointer of the offending input, when one field is to blame. */
  readonly field: string | undefined

  constructor (code: ErrorCode, message: string, field?: string) {
    super(message)
    this.name = 'TensorInitError'
    this.code = code
    this.status = ERROR_STATUS[code]
    this.field = field
  }
}

export function isTensorInitError (err: unknown): err is TensorInitError {
  return err instanceof TensorInitError
}
