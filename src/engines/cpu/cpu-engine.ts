import { availableParallelism } from 'node:os'
import { Piscina } from 'piscina'
import { TensorInitError } from '../../core/errors.ts'
import { itemSize } from '../../core/dtype.ts'
import { elementCount, type Plan } from '../../core/plan.ts'
import { instantiateKernels } from './wasm/kernel-module.ts'
import { WasmKernels } from './wasm/wasm-kernels.ts'
import type { CpuWorkerData } from './cpu-worker.ts'
import type { ChunkRecycler } from '../chunk-recycler.ts'
import type { Engine, EngineLoad, StreamOptions } from '../engine.ts'
import type { EngineInfo } from '../engine-info.ts'
import type { Exactness } from '../../core/exactness.ts'
import { checkElementRange, type ElementRange } from '../../core/element-range.ts'
import { DEFAULT_CHUNK_BYTES, chunkLength, chunkRanges } from './chunking.ts'
import { type ChunkTask, type KernelMode, type KernelSet, probeWasmKernels } from './execute-chunk.ts'
import { FairScheduler, type Scheduled } from './fair-scheduler.ts'
import { workerEntry } from '../toolkit/worker-entry.ts'
import { integerOption } from '../toolkit/options.ts'
import { orderedWindow } from '../toolkit/ordered-window.ts'
import { type WorkerResult, unwrapWorkerResult } from './worker-result.ts'
import { SERVICE_VERSION } from '../../core/service-version.ts'

/**
 * The `cpu` engine (design §3): a piscina pool of worker threads shared by all requests.
 *
 * A stream cuts its element range into chunks of about `chunkBytes` (chunking.ts), keeps at most
 * `window` of them in flight, and yields them in order; a chunk is only submitted when the
 * consumer has pulled far enough, so a slow reader holds back the computation (backpressure from
 * the socket to the workers). Results are transferred from the workers, never copied.
 *
 * Fairness: chunks wait in one lane per stream, served round robin (fair-scheduler.ts), and the
 * pool only receives two per thread; so a small request waits behind at most a couple of chunks
 * of a huge tensor, never behind its window.
 *
 * Abort (the signal, or the consumer leaving the loop): chunks still queued are cancelled at once;
 * a chunk already running finishes and its bytes are dropped. Stopping a running chunk would make
 * piscina terminate and respawn the worker thread (recompiling the wasm kernels and rebuilding
 * tables), which costs more than the few milliseconds a chunk takes.
 */

export interface CpuEngineOptions {
  /** Worker threads. Default: os.availableParallelism(). */
  threads?: number
  /** Bytes per chunk, about 1-4 MiB (rounded to what a kernel must not split). Default 2 MiB. */
  chunkBytes?: number
  /** Chunks in flight per stream (queued, running or done but not yet pulled). Default 2 x threads. */
  window?: number
  /** Chunks waiting for a worker across all streams before new ones are refused ('overloaded', 503). Default 1024. */
  maxQueue?: number
  /** 'auto' runs the WebAssembly SIMD kernels when they load, 'reference' the reference kernels only. Default 'auto'. */
  kernels?: KernelMode
  /** The compiled wasm kernels. Default build/wasm/kernels.wasm (scripts/build-wasm.mjs). */
  wasmFile?: string
  /** Called once with a reason when the wasm kernels cannot load (the engine then uses the reference kernels). Default: process.emitWarning. */
  onWarning?: (message: string) => void
}

export const CPU_DEFAULTS = {
  chunkBytes: DEFAULT_CHUNK_BYTES,
  maxQueue: 1024
} as const

const EXACT: Exactness = { class: 'exact' }

/**
 * Chunks handed to each worker at once: one running and one waiting in the worker's own message
 * queue, so a worker starts its next chunk without waiting for the main thread (busy writing the
 * previous chunks to sockets) to hand it over. Fairness costs at most one more chunk of wait.
 */
const TASKS_PER_THREAD = 2

/**
 * float32 ranges up to this size are computed on the calling thread when a wasm kernel covers them
 * (tens of microseconds): a worker round trip would cost more than the work. Half dtypes are
 * excluded because their first use builds a 65 536-entry table (milliseconds), which belongs on a
 * worker, not on the event loop.
 */
export const INLINE_MAX_BYTES = 64 * 1024

/** The pool's figures (Engine.load's `queued`, and what the tests and benchmarks watch). */
export interface CpuLoad extends EngineLoad {
  running: number
  started: number
  reused: number
}

interface Settings {
  threads: number
  chunkBytes: number
  window: number
  maxQueue: number
  kernels: KernelSet
}

function closedError (): TensorInitError {
  return new TensorInitError('engine-unavailable', 'cpu engine is closed')
}

export class CpuEngine implements Engine {
  readonly info: EngineInfo
  readonly #pool: Piscina<ChunkTask, WorkerResult>
  readonly #scheduler: FairScheduler<ChunkTask, Uint8Array>
  readonly #settings: Settings
  /** The main thread's own wasm kernels, for tiny float32 ranges (INLINE_MAX_BYTES). */
  readonly #inline: WasmKernels | undefined
  #nextStream = 0
  #reused = 0
  #closed = false

  constructor (options: CpuEngineOptions = {}) {
    const threads = integerOption('cpu engine: threads', options.threads ?? availableParallelism(), 1)
    const chunkBytes = integerOption('cpu engine: chunkBytes', options.chunkBytes ?? CPU_DEFAULTS.chunkBytes, 1)
    const window = integerOption('cpu engine: window', options.window ?? 2 * threads, 1)
    const maxQueue = integerOption('cpu engine: maxQueue', options.maxQueue ?? CPU_DEFAULTS.maxQueue, 1)
    const warn = options.onWarning ?? ((message: string) => process.emitWarning(message, { code: 'TENSOR_INIT_CPU_KERNELS' }))
    let kernels: KernelSet = 'reference'
    if ((options.kernels ?? 'auto') === 'auto') {
      const reason = probeWasmKernels(options.wasmFile)
      if (reason === undefined) kernels = 'wasm-simd'
      else warn(`cpu engine: WebAssembly SIMD kernels unavailable (${reason}); using the reference kernels`)
    }
    this.#settings = { threads, chunkBytes, window, maxQueue, kernels }
    this.#inline = kernels === 'wasm-simd' ? new WasmKernels(instantiateKernels(options.wasmFile)) : undefined
    const entry = workerEntry('cpu-worker', import.meta.url)
    const workerData: CpuWorkerData = { kernels: kernels === 'wasm-simd' ? 'auto' : 'reference', wasmFile: options.wasmFile }
    this.#pool = new Piscina({
      filename: entry.filename,
      execArgv: entry.execArgv,
      workerData,
      // Warm workers keep their compiled kernels and cached tables.
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: Infinity,
      concurrentTasksPerWorker: TASKS_PER_THREAD
    })
    this.#scheduler = new FairScheduler(async (task) => {
      if (this.#closed) throw closedError()
      let result: WorkerResult
      try {
        // A reused buffer moves to the worker (and back with the result), never copied.
        result = await this.#pool.run(task, task.buffer === undefined ? {} : { transferList: [task.buffer] })
      } catch (err) {
        // piscina's "Terminating worker thread" for the chunks running when close() came
        throw this.#closed ? closedError() : err
      }
      return unwrapWorkerResult(result)
    }, TASKS_PER_THREAD * threads, maxQueue)
    // A worker that dies outside a task must not take the process down with an unhandled 'error'.
    // piscina reports a result that arrives for a task it no longer tracks (its stream was closed
    // while the chunk ran) with the whole result inspected into the message: keep 200 characters.
    this.#pool.on('error', (err: unknown) => {
      const text = err instanceof Error ? err.message : String(err)
      warn(`cpu engine: worker error: ${text.length > 200 ? `${text.slice(0, 200)}...` : text}`)
    })
    this.info = {
      name: 'cpu',
      device: 'cpu',
      version: SERVICE_VERSION,
      concurrency: threads,
      exactness: { 'mlx-0.32': EXACT, 'mlx-0.13': EXACT },
      details: { threads, kernels, chunkBytes, window, maxQueue, inlineMaxBytes: this.#inline === undefined ? 0 : INLINE_MAX_BYTES }
    }
  }

  /** The cpu engine is the reference: every plan is exact. */
  exactness (_plan: Plan): Exactness {
    return EXACT
  }

  /**
   * Chunks waiting for a worker (all streams), chunks running, chunks started since creation, and
   * how many of those were computed into a buffer a consumer had released (chunk-recycler.ts).
   */
  get load (): CpuLoad {
    const s = this.#scheduler
    return { queued: s.queued, running: s.running, started: s.started, reused: this.#reused }
  }

  /** Tiny float32 ranges a wasm kernel covers (INLINE_MAX_BYTES), on the calling thread. */
  computeNow (plan: Plan, range: ElementRange): Uint8Array | undefined {
    if (!this.#inlineable(plan, range)) return undefined
    checkElementRange(range, elementCount(plan.shape))
    if (this.#closed) throw closedError()
    return this.#runInline(plan, range)
  }

  #inlineable (plan: Plan, range: ElementRange): boolean {
    return this.#inline !== undefined && plan.dtype === 'float32' && (range.end - range.start) * 4 <= INLINE_MAX_BYTES && WasmKernels.supports(plan)
  }

  #runInline (plan: Plan, range: ElementRange): Uint8Array {
    // From Buffer's shared pool: these bytes never travel to another thread, and a small pooled
    // allocation costs far less than an ArrayBuffer of its own.
    return this.#inline!.run(plan, range.start, range.end, Buffer.allocUnsafe((range.end - range.start) * 4))!
  }

  stream (plan: Plan, range: ElementRange, options: StreamOptions = {}): AsyncIterable<Uint8Array> {
    checkElementRange(range, elementCount(plan.shape))
    if (this.#closed) throw closedError()
    return this.#generate(plan, range, options.signal, options.recycler)
  }

  async * #generate (plan: Plan, range: ElementRange, signal: AbortSignal | undefined, recycler: ChunkRecycler | undefined): AsyncGenerator<Uint8Array> {
    signal?.throwIfAborted()
    // stream() has checked the range: tiny ones are computed here, as computeNow would.
    if (this.#inlineable(plan, range)) {
      if (range.end > range.start) yield this.#runInline(plan, range)
      return
    }
    const stream = this.#nextStream++
    const { chunkBytes, window } = this.#settings
    const chunks = chunkRanges(range, chunkLength(plan, chunkBytes, range))
    const start = (chunk: ElementRange): Scheduled<Uint8Array> => {
      // A buffer the consumer released travels to the worker and back with the result.
      const reuse = recycler?.take((chunk.end - chunk.start) * itemSize(plan.dtype))
      if (reuse !== undefined) this.#reused++
      return this.#submit(plan, chunk, stream, reuse)
    }
    // Refill up to the window only when the consumer has pulled: that is the backpressure. When the
    // stream ends early, queued chunks are dropped; running ones finish and their bytes are discarded.
    for await (const bytes of orderedWindow(chunks, start, { window, signal, refill: 'on-pull' })) {
      if (bytes.byteLength <= chunkBytes) {
        recycler?.lend(bytes)
        yield bytes
      } else {
        // A whole-matrix task (chunking.ts): hand it on in chunk-sized views of its buffer.
        for (let at = 0; at < bytes.byteLength; at += chunkBytes) yield bytes.subarray(at, at + chunkBytes)
      }
    }
  }

  #submit (plan: Plan, chunk: ElementRange, stream: number, buffer: ArrayBuffer | undefined): Scheduled<Uint8Array> {
    const task: ChunkTask = { plan, start: chunk.start, end: chunk.end }
    if (buffer !== undefined) task.buffer = buffer
    return this.#scheduler.submit(stream, task)
  }

  /** Stops the workers; streams still running fail with 'engine-unavailable'. */
  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#scheduler.cancelAll(closedError())
    await this.#pool.destroy()
  }
}

/** The embedded default engine (design §3). */
export function createCpuEngine (options: CpuEngineOptions = {}): CpuEngine {
  return new CpuEngine(options)
}
