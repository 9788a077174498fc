import { Pool } from 'undici'
import type { Plan } from '../../core/plan.ts'
import type { Profile } from '../../core/profile.ts'
import type { Exactness } from '../../core/exactness.ts'
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

  /** A failed /readyz poll. */
  eject (reason: string): void {
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
    this.eject(reason)
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
