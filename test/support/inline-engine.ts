import type { Engine, StreamOptions } from '../../src/engines/engine.ts'
import type { EngineInfo } from '../../src/engines/engine-info.ts'
import type { Exactness } from '../../src/core/exactness.ts'
import type { ElementRange } from '../../src/core/element-range.ts'
import { executeRange } from '../../src/engines/reference/execute.ts'
import { itemSize } from '../../src/core/dtype.ts'
import type { Plan } from '../../src/core/plan.ts'

export interface InlineEngineOptions {
  /** Bytes per chunk (rounded down to whole elements, at least one element). Default 1 MiB. */
  chunkBytes?: number
  /** Computes one chunk; defaults to the reference kernels. Tests swap it to fail or to be cheap. */
  compute?: (plan: Plan, start: number, end: number) => Uint8Array
}

/**
 * An in-process Engine over the reference kernels, for tests: it yields the range in chunks, runs
 * nothing ahead of the consumer, and records how much it was asked to do so tests can assert what
 * was (not) computed.
 */
export class InlineEngine implements Engine {
  readonly info: EngineInfo = {
    name: 'cpu',
    device: 'cpu',
    version: 'inline-test',
    concurrency: 1,
    exactness: { 'mlx-0.32': { class: 'exact' }, 'mlx-0.13': { class: 'exact' } }
  }

  /** Chunks computed so far, and the element ranges streams were opened for. */
  chunksComputed = 0
  elementsComputed = 0
  readonly ranges: ElementRange[] = []
  closed = false

  private readonly chunkBytes: number
  private readonly compute: (plan: Plan, start: number, end: number) => Uint8Array

  constructor (options: InlineEngineOptions = {}) {
    this.chunkBytes = options.chunkBytes ?? 1 << 20
    this.compute = options.compute ?? executeRange
  }

  exactness (_plan: Plan): Exactness {
    return { class: 'exact' }
  }

  async * stream (plan: Plan, range: ElementRange, options: StreamOptions = {}): AsyncGenerator<Uint8Array> {
    this.ranges.push({ ...range })
    const perChunk = Math.max(1, Math.floor(this.chunkBytes / itemSize(plan.dtype)))
    for (let start = range.start; start < range.end; start += perChunk) {
      options.signal?.throwIfAborted()
      // Yield to the event loop between chunks, as a worker pool would: sockets get to drain and
      // 'close' events get to fire.
      await new Promise((resolve) => setImmediate(resolve))
      options.signal?.throwIfAborted()
      const end = Math.min(range.end, start + perChunk)
      const bytes = this.compute(plan, start, end)
      this.chunksComputed++
      this.elementsComputed += end - start
      yield bytes
    }
  }

  async close (): Promise<void> {
    this.closed = true
  }
}
