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
