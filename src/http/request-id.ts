import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/**
 * A caller's X-Request-Id is kept only when it is short and made of characters that are safe in
 * a header, a JSON string and a log line: 1-64 of [A-Za-z0-9._:-] (enough for a UUID, a ULID or a
 * trace id). Anything else (a 15 KB id, control characters, quotes) is replaced by a fresh UUID
 * rather than echoed in the response header, every problem body and every log line.
 */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/

export const REQUEST_ID_HEADER = 'x-request-id'

/**
 * fastify's genReqId. fastify's own `requestIdHeader` option would take the header as is, so it is
 * off (false) and this function reads the header itself.
 */
export function genReqId (request: IncomingMessage): string {
  const given = request.headers[REQUEST_ID_HEADER]
  return typeof given === 'string' && REQUEST_ID_PATTERN.test(given) ? given : randomUUID()
}
