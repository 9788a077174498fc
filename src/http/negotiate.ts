import type { FastifyRequest } from 'fastify'
import { TensorInitError } from '../core/errors.ts'
import { CONTENT_TYPES, type BinaryFormat } from '../formats/encoding.ts'

export const JSON_MEDIA_TYPE = 'application/json'

export type FormatName = BinaryFormat | 'json'

const MEDIA_TYPES: Record<FormatName, string> = { ...CONTENT_TYPES, json: JSON_MEDIA_TYPE }

/**
 * Proactive negotiation (RFC 9110 §12.5.1) over the formats an operation offers, in order of
 * preference: no Accept or `*\/*` picks the first. An explicit `format` (query field or body
 * member) names the representation directly and overrides Accept, for clients that cannot set it.
 * Nothing acceptable is a 406 listing what is on offer (§15.5.7).
 */
export function chooseFormat<F extends FormatName> (request: FastifyRequest, offers: readonly F[], explicit: string | undefined): F {
  if (explicit !== undefined) {
    if ((offers as readonly string[]).includes(explicit)) return explicit as F
    throw new TensorInitError('invalid-request', `format must be one of ${offers.join(', ')}.`, '/format')
  }
  const accept = request.headers.accept
  if (accept === undefined || accept === '*/*') return offers[0] as F
  // A bare offered media type (what SDKs and the bench send) needs no parsing.
  const exact = offers.find((f) => MEDIA_TYPES[f] === accept)
  if (exact !== undefined) return exact
  const types = offers.map((f) => MEDIA_TYPES[f])
  const chosen = request.accepts().type(types)
  if (chosen === false) throw new NotAcceptable(types)
  return offers[types.indexOf(chosen as string)] as F
}

export class NotAcceptable extends TensorInitError {
  readonly offered: string[]
  constructor (offered: string[]) {
    super('not-acceptable', `None of the media types in Accept can be served here; this resource is available as ${offered.join(', ')}.`, '/headers/accept')
    this.offered = offered
  }
}

export function mediaType (format: FormatName): string {
  return MEDIA_TYPES[format]
}
