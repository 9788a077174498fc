import { TensorInitError } from '../core/errors.ts'

/**
 * Conditional requests (RFC 9110 §13) against the single strong ETag of a tensor representation.
 * The representations have no Last-Modified (they do not change over time), so the date-based
 * preconditions are ignored, as §13.1.3 and §13.1.4 require without a modification date.
 */

interface EntityTag { weak: boolean, opaque: string }

/** entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE (§8.8.3); etagc excludes DQUOTE, so split at quotes. */
const ENTITY_TAG = /^\s*(W\/)?("[\x21\x23-\x7e\x80-\xff]*")\s*(?:,|$)/

/**
 * Parses `If-None-Match` (§13.1.2): "*" or a list of entity-tags. Returns undefined when the field
 * is malformed, which the caller treats as absent.
 */
export function parseEntityTags (field: string): '*' | EntityTag[] | undefined {
  if (field.trim() === '*') return '*'
  const tags: EntityTag[] = []
  let rest = field
  while (rest.trim() !== '') {
    // §5.6.1.2: recipients accept empty list elements.
    const empty = /^\s*,/.exec(rest)
    if (empty !== null) {
      rest = rest.slice(empty[0].length)
      continue
    }
    const match = ENTITY_TAG.exec(rest)
    if (match === null) return undefined
    tags.push({ weak: match[1] !== undefined, opaque: match[2] as string })
    rest = rest.slice(match[0].length)
  }
  return tags
}

/**
 * §13.1.1: If-Match is true when "*" is given (the representation exists) or one of the listed
 * tags matches by the strong comparison (§8.8.3.2). A field that does not parse matches nothing:
 * the client asked for a precondition the service cannot confirm. Returns true when it fails.
 */
export function matchFails (field: string | undefined, etag: string): boolean {
  if (field === undefined) return false
  const tags = parseEntityTags(field)
  if (tags === '*') return false
  return tags === undefined || !tags.some((tag) => !tag.weak && tag.opaque === etag)
}

/**
 * The preconditions in §13.2.2's order for a request whose representation has `etag`: a failed
 * If-Match is a 412 problem (thrown); then If-None-Match decides whether a GET or HEAD answers
 * 304 ('not-modified'). Range and If-Range come after, in the caller.
 */
export function evaluatePreconditions (
  headers: { 'if-match'?: string, 'if-none-match'?: string },
  etag: string
): 'not-modified' | undefined {
  if (matchFails(headers['if-match'], etag)) {
    throw new TensorInitError('precondition-failed', `If-Match does not name the current entity tag ${etag}.`, '/headers/if-match')
  }
  return noneMatchFails(headers['if-none-match'], etag) ? 'not-modified' : undefined
}

/**
 * §13.1.2: If-None-Match is false when "*" is given and a representation exists, or when one of
 * the listed tags matches by the weak comparison (§8.8.3.2: opaque-tags equal, W/ ignored).
 * Returns true when the condition fails, i.e. a GET or HEAD answers 304.
 */
export function noneMatchFails (field: string | undefined, etag: string): boolean {
  if (field === undefined) return false
  const tags = parseEntityTags(field)
  if (tags === undefined) return false
  if (tags === '*') return true
  return tags.some((tag) => tag.opaque === etag)
}

/**
 * §13.1.5: Range is honoured only if If-Range is absent or matches. An entity-tag matches by the
 * strong comparison (§8.8.3.2: neither tag weak, opaque-tags equal); an HTTP-date can only match a
 * Last-Modified, which these representations do not have, so a date means "send it all".
 */
export function ifRangeAllows (field: string | undefined, etag: string): boolean {
  if (field === undefined) return true
  const value = field.trim()
  if (!value.startsWith('"') && !value.startsWith('W/')) return false
  const tags = parseEntityTags(value)
  if (tags === undefined || tags === '*' || tags.length !== 1) return false
  const tag = tags[0] as EntityTag
  return !tag.weak && tag.opaque === etag
}
