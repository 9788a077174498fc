import type { Plan } from '../core/plan.ts'
import type { ChunkRecycler } from './chunk-recycler.ts'
import type { Profile } from '../core/profile.ts'
import type { ElementRange } from '../core/element-range.ts'
import type { Exactness } from '../core/exactness.ts'

export interface EngineInfo {
  name: 'cpu' | 'mlx' | 'remote'
  device: 'cpu' | 'gpu' | 'remote'
  version: string
  /** Worker threads (cpu), GPU streams (mlx) or hosts (remote) available to this engine. */
  concurrency: number
  /** Per profile, which exactness class the engine delivers for MLX-family plans. */
  exactness: Record<Profile, Exactness>
  details?: Record<string, unknown>
}

export interface StreamOptions {
  /** Aborting stops the generation: queued chunks are dropped, nothing more is computed. */
  signal?: AbortSignal
  /**
   * Where the consumer hands back chunks it is done with (chunk-recycler.ts). An engine that
   * computes into buffers it allocates may reuse released ones for later chunks of this stream;
   * one that does not simply ignores it.
   */
  recycler?: ChunkRecycler
}

/**
 * Computes the bytes of a plan. Engines never see HTTP; the routes never see Threefry.
 * `stream` yields the little-endian bytes of the elements in `range`, in order, in chunks of about
 * 1-4 MiB, pulled by the consumer (backpressure: nothing runs ahead of a bounded window).
 */
export interface Engine {
  readonly info: EngineInfo
  exactness (plan: Plan): Exactness
  stream (plan: Plan, range: ElementRange, options?: StreamOptions): AsyncIterable<Uint8Array>
  /**
   * Optional: the bytes of a small `range` computed at once on the calling thread, when that is
   * cheaper than a round trip to wherever `stream` computes (a few microseconds of work); otherwise
   * undefined, and the caller uses `stream`. The bytes are the caller's.
   */
  computeNow? (plan: Plan, range: ElementRange): Uint8Array | undefined
  close (): Promise<void>
}
