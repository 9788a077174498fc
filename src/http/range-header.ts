/**
 * The Range request header and Content-Range response header for byte ranges (RFC 9110 §14).
 *
 *   Range = ranges-specifier = range-unit "=" range-set            (§14.1.1, §14.2)
 *   range-set = 1#range-spec
 *   range-spec = int-range / suffix-range / other-range
 *   int-range = first-pos "-" [ last-pos ]     suffix-range = "-" suffix-length
 *
 * Only a single byte range is served as 206. Everything else the RFC lets a server ignore is
 * ignored (answer 200 with the full representation): other units (§14.2 "MUST ignore a Range
 * header field that contains a range unit it does not understand"), syntax errors, and
 * multiple ranges (§14.2 "a server MAY ignore the Range header field").
 */

export type RangeRequest =
  | { kind: 'none' }
  | { kind: 'single', first: number, last: number }
  | { kind: 'unsatisfiable' }
  | { kind: 'ignore' }

const DIGITS = /^[0-9]+$/
/** OWS (§5.6.3). */
const OWS = /^[ \t]*|[ \t]*$/g

type Spec = { first: number, last: number | undefined } | { suffix: number }

/** One range-spec, or undefined if it is not valid syntax (an other-range for our unit). */
function parseSpec (text: string): Spec | undefined {
  const dash = text.indexOf('-')
  if (dash < 0) return undefined
  const left = text.slice(0, dash)
  const right = text.slice(dash + 1)
  if (left === '') return DIGITS.test(right) ? { suffix: Number(right) } : undefined
  if (!DIGITS.test(left) || (right !== '' && !DIGITS.test(right))) return undefined
  const first = Number(left)
  const last = right === '' ? undefined : Number(right)
  // §14.1.1: "An int-range is invalid if the last-pos value is present and less than the first-pos."
  if (last !== undefined && last < first) return undefined
  return { first, last }
}

/**
 * Parses a Range header against a representation of `totalBytes` bytes. Positions beyond 2^53
 * lose precision but keep their order relative to any real length, which is all that matters.
 */
export function parseRange (header: string | undefined, totalBytes: number): RangeRequest {
  if (header === undefined) return { kind: 'none' }
  const equals = header.indexOf('=')
  if (equals < 0) return { kind: 'ignore' }
  // §14.1: "Range unit names are case-insensitive".
  if (header.slice(0, equals).toLowerCase() !== 'bytes') return { kind: 'ignore' }
  // §5.6.1.2: a recipient MUST accept empty list elements and OWS around the commas.
  const specs = header.slice(equals + 1).split(',').map((part) => part.replace(OWS, '')).filter((part) => part !== '')
  if (specs.length !== 1) return { kind: 'ignore' }
  const spec = parseSpec(specs[0] as string)
  if (spec === undefined) return { kind: 'ignore' }
  if ('suffix' in spec) {
    // §14.1.1: "A suffix-range is satisfiable if it has a non-zero suffix-length"; a suffix
    // longer than the representation selects all of it.
    if (spec.suffix === 0) return { kind: 'unsatisfiable' }
    // A non-empty suffix of an empty representation is satisfiable, yet no Content-Range can
    // describe an empty part (§14.4 first-pos <= last-pos), so serve the empty 200 instead.
    if (totalBytes === 0) return { kind: 'ignore' }
    return { kind: 'single', first: Math.max(0, totalBytes - spec.suffix), last: totalBytes - 1 }
  }
  // §14.1.1: "An int-range is satisfiable if the first-pos is less than the current length".
  if (spec.first >= totalBytes) return { kind: 'unsatisfiable' }
  // §14.1.2: a last-pos at or beyond the length is replaced by length - 1.
  return { kind: 'single', first: spec.first, last: Math.min(spec.last ?? Infinity, totalBytes - 1) }
}

/** Content-Range of a 206 (§14.4): `bytes first-last/complete-length`. */
export function contentRange (first: number, last: number, totalBytes: number): string {
  return `bytes ${first}-${last}/${totalBytes}`
}

/** Content-Range of a 416 (§14.4 unsatisfied-range = "*" "/" complete-length; §15.5.17). */
export function unsatisfiedContentRange (totalBytes: number): string {
  return `bytes */${totalBytes}`
}
