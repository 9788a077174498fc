/**
 * Why one host failed one sub-range. The kind decides what happens to the host:
 * - `transport`: refused or reset connection, headers or body timeout, a body cut short. The host
 *   is ejected until its /readyz answers again.
 * - `unavailable`: a 5xx answer. Ejected as well; a host that recovers says so on /readyz.
 * - `refused`: a 4xx answer to a request another host accepts (an older version, say).
 * - `mismatch`: the answer is not the expected representation (ETag, exactness class, profile,
 *   Content-Range). The host computes something else for this plan and never serves it.
 * The last two exclude the host from the rest of the response, not from the pool.
 * - `ejected`: the request was aborted because its host was ejected by health polling while it
 *   was in flight (its /readyz poll failed or timed out). The host is already out; the
 *   part moves on at once instead of waiting for the headers or body timeout (issue 12: a
 *   SIGSTOPped host's parts waited 30 s although polling had ejected it after 2 s).
 */
export type FailureKind = 'transport' | 'unavailable' | 'refused' | 'mismatch' | 'ejected'

export class HostFailure extends Error {
  readonly kind: FailureKind
  readonly origin: string

  constructor (kind: FailureKind, origin: string, message: string, options?: { cause?: unknown }) {
    super(`${origin}: ${message}`, options)
    this.name = 'HostFailure'
    this.kind = kind
    this.origin = origin
  }

  get ejects (): boolean {
    return this.kind === 'transport' || this.kind === 'unavailable'
  }
}
