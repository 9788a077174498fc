import { itemSize } from '../../core/dtype.ts'
import { elementCount, type Plan } from '../../core/plan.ts'
import type { Engine, EngineLoad, StreamOptions } from '../engine.ts'
import type { EngineInfo } from '../engine-info.ts'
import type { Exactness } from '../../core/exactness.ts'
import { checkElementRange, type ElementRange } from '../../core/element-range.ts'
import { classLabel } from './exactness-class.ts'
import { expectedRepresentation } from './expected-tag.ts'
import { HostPool } from './host-pool.ts'
import { streamRange, type RangeStreamStats } from './range-stream.ts'
import { resolveRemoteOptions, type RemoteEngineOptions, type ResolvedRemoteOptions } from './remote-options.ts'
import { tensorPath } from './tensor-path.ts'

/** Chunks handed to the HTTP layer are gathered to about this size (design §3: 1-4 MiB). */
const YIELD_BYTES = 1 << 20

/**
 * The gateway engine (design §3 "remote"): computes nothing itself; it spreads the element range
 * of a request over other instances of this service through their public Range API and splices
 * the answers in order. See range-stream.ts for the windowing and retries, host-pool.ts for
 * health and scheduling, expected-tag.ts for why spliced ranges are safe.
 */
export class RemoteEngine implements Engine {
  private readonly pool: HostPool
  private readonly options: ResolvedRemoteOptions
  private readonly stats: RangeStreamStats = { partsFetched: 0, partRetries: 0, partsReissued: 0, bytesFetched: 0 }

  constructor (pool: HostPool, options: ResolvedRemoteOptions) {
    this.pool = pool
    this.options = options
  }

  get info (): EngineInfo {
    const ready = this.pool.ready()
    const versions = [...new Set(ready.map((h) => h.readiness?.version ?? '?'))].sort()
    return {
      name: 'remote',
      device: 'remote',
      version: versions.length === 0 ? 'no-hosts' : versions.join(','),
      concurrency: ready.length,
      exactness: this.pool.table(),
      details: {
        hosts: this.pool.hosts.length,
        hostsReady: ready.length,
        partBytes: this.options.partBytes,
        connectionsPerHost: this.options.connectionsPerHost,
        partsFetched: this.stats.partsFetched,
        partRetries: this.stats.partRetries,
        partsReissued: this.stats.partsReissued,
        // The most bytes one response holds (parts in flight x part size, see streamRange), for
        // process-wide admission to reserve (MAX_BUFFERED_BYTES): a bound over any pool state.
        windowParts: this.windowBound(),
        windowBytes: this.windowBound() * this.options.partBytes,
        bytesFetched: this.stats.bytesFetched,
        inFlight: this.pool.hosts.reduce((n, h) => n + h.active, 0),
        workers: this.pool.hosts.map((h) => h.describe())
      }
    }
  }

  /** Sub-ranges waiting for a free host slot, across all streams (HostPool.acquire). */
  get load (): EngineLoad {
    return { queued: this.pool.waiting }
  }

  /**
   * The class the ready hosts serve `plan` in now: a function of the plan and the pool's state.
   * The HTTP layer names it in the ETag and hands it back in StreamOptions.exactness, so the
   * bytes streamed are of that class even if hosts come and go in between.
   */
  exactness (plan: Plan): Exactness {
    // With no ready host the stream fails (503) anyway; the class named here is never served.
    return this.pool.classFor(plan) ?? { class: 'exact' }
  }

  async * stream (plan: Plan, range: ElementRange, options: StreamOptions = {}): AsyncGenerator<Uint8Array> {
    const total = elementCount(plan.shape)
    checkElementRange(range, total)
    if (range.start === range.end) return
    const exactness = options.exactness ?? this.exactness(plan)
    const windowParts = this.windowParts(this.pool.ready().length)
    yield * streamRange(this.pool, {
      plan,
      path: tensorPath(plan),
      label: classLabel(exactness),
      expected: expectedRepresentation(plan, exactness, total * itemSize(plan.dtype)),
      range,
      signal: options.signal
    }, {
      partBytes: this.options.partBytes,
      windowParts,
      maxAttemptsPerPart: this.options.maxAttemptsPerPart,
      yieldBytes: YIELD_BYTES
    }, this.stats)
  }

  /** Parts in flight per response with `hosts` ready: the option, else hosts x connections in [2, 16]. */
  private windowParts (hosts: number): number {
    return this.options.windowParts > 0
      ? this.options.windowParts
      : Math.min(16, Math.max(2, hosts * this.options.connectionsPerHost))
  }

  /** windowParts with every configured host ready: what no response exceeds. */
  private windowBound (): number {
    return this.windowParts(this.pool.hosts.length)
  }

  async close (): Promise<void> {
    await this.pool.close()
  }
}

/**
 * A remote engine over `options.hosts`. Resolves after one /readyz round, whatever its outcome: a
 * gateway whose hosts are still starting reports itself not ready (503 on its own /readyz, since
 * no host is) and becomes ready as they come up.
 */
export async function createRemoteEngine (options: RemoteEngineOptions): Promise<RemoteEngine> {
  const resolved = resolveRemoteOptions(options)
  const pool = new HostPool(resolved)
  await pool.start()
  return new RemoteEngine(pool, resolved)
}
