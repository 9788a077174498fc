import type { Plan } from '../core/plan.ts'
import type { ChunkRecycler } from './chunk-recycler.ts'
import type { ElementRange } from '../core/element-range.ts'
import type { Exactness } from '../core/exactness.ts'
import type { EngineInfo } from './engine-info.ts'

/**
 * What an engine that queues work reports about its queue, read on each scrape of /metrics
 * (engine_queued_chunks). An engine without a queue of its own leaves `Engine.load` out.
 */
export interface EngineLoad {
  /** Chunks (or tasks, or sub-ranges) waiting to start, across all streams. */
  queued: number
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
  /**
   * The exactness class the caller has announced for these bytes (its ETag and headers name the
   * class `exactness(plan)` returned). An engine that can serve a plan in more than one class (the
   * remote gateway, whose hosts come and go) streams this one, so the bytes match what was said
   * about them; an engine with one class per plan ignores it. Absent: the engine decides now.
   */
  exactness?: Exactness
}

/**
 * Computes the bytes of a plan. Engines never see HTTP; the routes never see Threefry.
 * `stream` yields the little-endian bytes of the elements in `range`, in order, in chunks of about
 * 1-4 MiB, pulled by the consumer (backpressure: nothing runs ahead of a bounded window).
 */
export interface Engine {
  readonly info: EngineInfo
  exactness (plan: Plan): Exactness
  /** Optional: the engine's queue, for engines that queue work (EngineLoad). */
  readonly load?: EngineLoad
  stream (plan: Plan, range: ElementRange, options?: StreamOptions): AsyncIterable<Uint8Array>
  /**
   * Optional: the bytes of a small `range` computed at once on the calling thread, when that is
   * cheaper than a round trip to wherever `stream` computes (a few microseconds of work); otherwise
   * undefined, and the caller uses `stream`. The bytes are the caller's.
   */
  computeNow? (plan: Plan, range: ElementRange): Uint8Array | undefined
  close (): Promise<void>
}
