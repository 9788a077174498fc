import { Pool } from 'undici'
import type { Plan } from '../../core/plan.ts'
import type { Profile } from '../../core/profile.ts'
import type { Exactness } from '../../core/exactness.ts'
import { HostFailure } from './host-failure.ts'
import { planExactness } from './host-exactness.ts'
import type { HostReadiness } from './readiness.ts'
import type { ResolvedRemoteOptions } from './remote-options.ts'

export type HostState = 'unknown' | 'ready' | 'down'

/**
 * One worker host: its connections, its health and how many requests it has in flight.
 *
 * Two undici Pools per host: `pool` carries tensor traffic (keep-alive, at most
 * connectionsPerHost sockets, which the scheduler never exceeds, so undici never queues behind a
 * stalled socket), `probe` carries /readyz polls on a socket of its own, so a health check is never
 * stuck behind a long tensor body and a stalled tensor socket never hides a recovered host.
 */
export class WorkerHost {
  readonly origin: string
  readonly limit: number
  readonly pool: Pool
  readonly probe: Pool
  state: HostState = 'unknown'
  readiness: HostReadiness | undefined
  /** Requests in flight now. */
  active = 0
  lastError: string | undefined
  ejections = 0
  partsServed = 0
  bytesServed = 0

  /**
   * Aborted, with a HostFailure of kind `ejected`, when the host is ejected, then replaced: every
   * tensor request in flight listens to the one current when it started, so ejecting a host
   * re-issues its parts elsewhere at once (range-stream.ts).
   */
  private ejection = new AbortController()

  constructor (origin: string, options: ResolvedRemoteOptions) {
    this.origin = origin
    this.limit = options.connectionsPerHost
    this.pool = new Pool(origin, {
      connections: options.connectionsPerHost,
      pipelining: 1,
      headersTimeout: options.headersTimeoutMs,
      bodyTimeout: options.bodyTimeoutMs,
      connectTimeout: options.connectTimeoutMs
    })
    this.probe = new Pool(origin, {
      connections: 1,
      pipelining: 1,
      headersTimeout: options.healthTimeoutMs,
      bodyTimeout: options.healthTimeoutMs,
      connectTimeout: Math.min(options.connectTimeoutMs, options.healthTimeoutMs)
    })
  }

  /** The host's class for a profile as its /readyz states it (the worst over plans), while it is ready. */
  profileExactness (profile: Profile): Exactness | undefined {
    return this.state === 'ready' ? this.readiness?.engine.exactness[profile] : undefined
  }

  /** The class of the host's bytes for `plan`, while it is ready. */
  exactness (plan: Plan): Exactness | undefined {
    return this.state === 'ready' && this.readiness !== undefined ? planExactness(this.readiness.engine, plan) : undefined
  }

  /** Tensor requests failed in a row (a served part resets it). */
  failures = 0
  /** A host ejected by a failed tensor request is not re-admitted before this time (ms epoch). */
  quarantineUntil = 0

  /** A good /readyz poll: the host serves again, unless it is in quarantine. */
  admit (readiness: HostReadiness, now = Date.now()): void {
    this.readiness = readiness
    if (now >= this.quarantineUntil) this.state = 'ready'
  }

  /** Aborts when this host is next ejected; take it when a request to the host starts. */
  get ejectionSignal (): AbortSignal {
    return this.ejection.signal
  }

  /**
   * A failed /readyz poll: a host that does not answer it within the timeout is frozen,
   * overloaded or gone, so its tensor requests in flight are aborted at once rather than left
   * to the headers or body timeout. Bytes they already delivered are kept (they were checked
   * against the expected ETag and Content-Range); the rest of each part is fetched elsewhere
   * under the same checks, so nothing is spliced from two representations (RFC 9110 §14.2,
   * §8.8.3). A failed tensor request (`failed`) does not abort the host's other requests: one
   * reset or 5xx says little about them, and they end by themselves if the host is gone.
   */
  eject (reason: string): void {
    this.markDown(reason)
    const ejection = this.ejection
    this.ejection = new AbortController()
    ejection.abort(new HostFailure('ejected', this.origin, `ejected while the request was in flight (${reason})`))
  }

  private markDown (reason: string): void {
    if (this.state !== 'down') this.ejections++
    this.state = 'down'
    this.lastError = reason
  }

  /**
   * A failed tensor request. /readyz may still answer (a host whose engine is wedged, or that
   * stalls under load), so re-admission waits a while, doubling with each failure in a row:
   * such a host costs a timeout now and then, not on every part.
   */
  failed (reason: string, baseMs: number, now = Date.now()): void {
    this.failures++
    this.quarantineUntil = now + Math.min(60_000, baseMs * 2 ** Math.min(this.failures - 1, 10))
    this.markDown(reason)
  }

  served (): void {
    this.failures = 0
    this.partsServed++
  }

  describe (): Record<string, unknown> {
    return {
      origin: this.origin,
      state: this.state,
      active: this.active,
      limit: this.limit,
      ejections: this.ejections,
      failures: this.failures,
      partsServed: this.partsServed,
      bytesServed: this.bytesServed,
      ...(this.readiness === undefined
        ? {}
        : { version: this.readiness.version, engine: this.readiness.engine.name, exactness: this.readiness.engine.exactness }),
      ...(this.lastError === undefined ? {} : { lastError: this.lastError })
    }
  }

  async close (): Promise<void> {
    // destroy, not close: close() waits for in-flight bodies, which a stalled host never ends.
    await Promise.all([this.pool.destroy(), this.probe.destroy()])
  }
}
