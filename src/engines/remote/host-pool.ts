import { TensorInitError } from '../../core/errors.ts'
import type { Plan } from '../../core/plan.ts'
import { PROFILES, type Profile } from '../../core/profile.ts'
import type { Exactness } from '../../core/exactness.ts'
import { chooseClass, classLabel } from './exactness-class.ts'
import { probeHost } from './probe-host.ts'
import type { ResolvedRemoteOptions } from './remote-options.ts'
import { WorkerHost } from './worker-host.ts'
import { abortRace } from '../toolkit/abort-race.ts'

export interface AcquireRequest {
  plan: Plan
  /** Label of the exactness class that serves this response. */
  label: string
  /** Hosts that may not serve this response (they refused it or computed another representation). */
  exclude: ReadonlySet<WorkerHost>
  signal: AbortSignal
}

/**
 * The worker hosts, their health and the request slots they offer.
 *
 * Health: every host's /readyz is polled each healthIntervalMs (one poll per host at a time, so a
 * stalled host costs one pending poll, not a pile). A failed poll ejects the host and the next good
 * poll re-admits it; a failed tensor request ejects it for at least one poll interval, doubling
 * with each failure in a row (see WorkerHost.failed).
 *
 * Slots: a host serves at most connectionsPerHost requests at once. `acquire` hands out the free
 * host of the right class with the fewest requests in flight, rotating among equals, and waits
 * while every such host is busy; it fails at once when no host of the class is ready.
 *
 * Not undici's BalancedPool: it picks upstreams by its own weights among all of them and queues
 * requests on a chosen one, while a part must go to a host of the response's exactness class, and
 * a failed part to another host than the one that failed it, which only the gateway knows.
 */
export class HostPool {
  readonly hosts: WorkerHost[]
  private readonly options: ResolvedRemoteOptions
  private readonly waiters = new Set<() => void>()
  private timer: NodeJS.Timeout | undefined
  private readonly polling = new Set<WorkerHost>()
  private closed = false
  private turn = 0

  constructor (options: ResolvedRemoteOptions) {
    this.options = options
    this.hosts = options.hosts.map((origin) => new WorkerHost(origin, options))
  }

  /** Polls every host once (so a new gateway starts with a picture of its pool), then periodically. */
  async start (): Promise<void> {
    await this.pollAll()
    const tick = (): void => {
      if (this.closed) return
      // pollAll never rejects: each host's outcome is recorded on the host.
      this.pollAll().finally(() => {
        if (!this.closed) this.timer = setTimeout(tick, this.options.healthIntervalMs).unref()
      }).catch(() => {})
    }
    this.timer = setTimeout(tick, this.options.healthIntervalMs).unref()
  }

  /** Polls the hosts that have no poll pending. */
  async pollAll (): Promise<void> {
    await Promise.all(this.hosts.filter((h) => !this.polling.has(h)).map(async (host) => {
      this.polling.add(host)
      try {
        host.admit(await probeHost(host, this.options.healthTimeoutMs))
      } catch (err) {
        host.eject(`/readyz: ${(err as Error).message}`)
      } finally {
        this.polling.delete(host)
        this.notify()
      }
    }))
  }

  /** Acquires waiting for a free slot: the sub-ranges queued behind busy hosts. */
  get waiting (): number {
    return this.waiters.size
  }

  ready (): WorkerHost[] {
    return this.hosts.filter((h) => h.state === 'ready')
  }

  /** The exactness class that serves `plan` now, or undefined when no ready host may. */
  classFor (plan: Plan): Exactness | undefined {
    const classes: Exactness[] = []
    for (const host of this.hosts) {
      const exactness = host.exactness(plan)
      if (exactness !== undefined) classes.push(exactness)
    }
    return chooseClass(classes, this.options.exactness)
  }

  /**
   * Per profile, the class the pool would serve as the hosts state it (EngineInfo.exactness: the
   * worst case over plans, like each host's own table; a given plan may be served better).
   */
  table (): Record<Profile, Exactness> {
    const table = {} as Record<Profile, Exactness>
    for (const profile of PROFILES) {
      const classes: Exactness[] = []
      for (const host of this.hosts) {
        const exactness = host.profileExactness(profile)
        if (exactness !== undefined) classes.push(exactness)
      }
      table[profile] = chooseClass(classes, this.options.exactness) ?? { class: 'exact' }
    }
    return table
  }

  async acquire (request: AcquireRequest): Promise<WorkerHost> {
    for (;;) {
      request.signal.throwIfAborted()
      if (this.closed) throw new TensorInitError('engine-unavailable', 'The remote engine is closed.')
      const serving = this.hosts.filter((h) => !request.exclude.has(h) && matches(h.exactness(request.plan), request.label))
      if (serving.length === 0) {
        const why = this.hosts.map((h) => `${h.origin} ${request.exclude.has(h) ? 'excluded' : h.state}${h.lastError === undefined ? '' : ` (${h.lastError})`}`)
        throw new TensorInitError('engine-unavailable',
          `No worker host of exactness class ${request.label} for this ${request.plan.initializer} (${request.plan.profile}, ${request.plan.dtype}) can serve: ${why.join('; ')}.`)
      }
      const free = serving.filter((h) => h.active < h.limit)
      if (free.length > 0) {
        const least = Math.min(...free.map((h) => h.active))
        const candidates = free.filter((h) => h.active === least)
        const host = candidates[this.turn++ % candidates.length] as WorkerHost
        host.active++
        return host
      }
      await this.changed(request.signal)
    }
  }

  release (host: WorkerHost): void {
    host.active--
    this.notify()
  }

  /** A tensor request to `host` failed at the transport or with a 5xx: eject it for a while. */
  failed (host: WorkerHost, reason: string): void {
    host.failed(reason, this.options.healthIntervalMs)
    this.notify()
  }

  private notify (): void {
    const waiters = [...this.waiters]
    this.waiters.clear()
    for (const wake of waiters) wake()
  }

  /** Resolves on the next release, ejection or poll; rejects when `signal` aborts. */
  private async changed (signal: AbortSignal): Promise<void> {
    let wake: (() => void) | undefined
    const woken = new Promise<void>((resolve) => {
      wake = resolve
      this.waiters.add(resolve)
    })
    try {
      await abortRace(woken, signal)
    } finally {
      // notify() has removed it when it woke; an abort leaves it here.
      this.waiters.delete(wake!)
    }
  }

  async close (): Promise<void> {
    this.closed = true
    clearTimeout(this.timer)
    this.notify()
    await Promise.all(this.hosts.map(async (h) => { await h.close() }))
  }
}

function matches (exactness: Exactness | undefined, label: string): boolean {
  return exactness !== undefined && classLabel(exactness) === label
}
