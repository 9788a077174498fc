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
import { DEFAULT_CHUNK_BYTES, WHOLE_TASK_MAX_BYTES, chunkLength, chunkRanges, isWholeMatrix } from './chunking.ts'
import { type ChunkTask, type KernelMode, type KernelSet, probeWasmKernels } from './execute-chunk.ts'
import { FairScheduler, type Scheduled } from './fair-scheduler.ts'
import { workerEntry } from '../toolkit/worker-entry.ts'
import { integerOption } from '../toolkit/options.ts'
import { orderedWindow } from '../toolkit/ordered-window.ts'
import { type WorkerResult, unwrapWorkerResult } from './worker-result.ts'
import { SERVICE_VERSION } from '../../core/service-version.ts'
import { digestLines, planText } from '../../core/plan-digest.ts'
import { abortRace } from '../toolkit/abort-race.ts'
import { LruCache } from '../../random/lru.ts'

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
 * Abort (the signal, or the consumer leaving the loop): chunks still queued are cancelled at once,
 * the one being awaited included; a chunk already running finishes and its bytes are dropped.
 * Stopping a running chunk would make piscina terminate and respawn the worker thread (recompiling
 * the wasm kernels and rebuilding tables), which costs more than the few milliseconds a chunk takes.
 *
 * Whole-matrix work (chunking.ts isWholeMatrix: the orthogonal family's QR, seconds per tensor)
 * runs apart (issue 12): on a pool of its own with `wholeTensor.concurrency` threads and its own
 * fair queue, so it never holds the workers ordinary chunks need; cooperatively cancellable (a
 * SharedArrayBuffer flag the worker reads between Householder columns, so an abort frees the thread
 * within milliseconds without a respawn); and, when the whole tensor fits `wholeTensor.cacheBytes`,
 * computed whole once, shared by concurrent requests for the same plan, and kept in an LRU by plan
 * digest (an LRU bounded by bytes), so any Range or retry of it is a slice of memory.
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
  /** Whole-matrix work: how many run at once (default 1), bytes of whole results kept (default 64 MiB, 0: none). */
  wholeTensor?: { concurrency?: number, cacheBytes?: number }
  /** Called once with a reason when the wasm kernels cannot load (the engine then uses the reference kernels). Default: process.emitWarning. */
  onWarning?: (message: string) => void
}

export const CPU_DEFAULTS = {
  chunkBytes: DEFAULT_CHUNK_BYTES,
  maxQueue: 1024,
  wholeConcurrency: 1,
  wholeCacheBytes: 64 * 2 ** 20
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
  wholeConcurrency: number
}

/** One whole-tensor computation, shared by the streams that want the same plan. */
interface WholeFlight {
  scheduled: Scheduled<Uint8Array>
  /** Streams awaiting it; the last one to leave before it settles cancels it. */
  users: number
  settled: boolean
}

function closedError (): TensorInitError {
  return new TensorInitError('engine-unavailable', 'cpu engine is closed')
}

export class CpuEngine implements Engine {
  readonly info: EngineInfo
  readonly #pool: Piscina<ChunkTask, WorkerResult>
  readonly #scheduler: FairScheduler<ChunkTask, Uint8Array>
  readonly #settings: Settings
  readonly #workerData: CpuWorkerData
  readonly #entry: ReturnType<typeof workerEntry>
  /** Whole-matrix tasks: their own queue, and their own pool (started on first use). */
  readonly #wholeScheduler: FairScheduler<ChunkTask, Uint8Array>
  #wholePool: Piscina<ChunkTask, WorkerResult> | undefined
  /**
   * Whole-matrix results by plan digest (core/plan-digest.ts: equal digests mean equal bytes),
   * bounded by the bytes held. They are shared by every reader: never written to, never lent
   * to a chunk recycler.
   */
  readonly #wholeCache: LruCache<string, Uint8Array>
  readonly #flights = new Map<string, WholeFlight>()
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
    const wholeConcurrency = integerOption('cpu engine: wholeTensor.concurrency', options.wholeTensor?.concurrency ?? CPU_DEFAULTS.wholeConcurrency, 1)
    const wholeCacheBytes = integerOption('cpu engine: wholeTensor.cacheBytes', options.wholeTensor?.cacheBytes ?? CPU_DEFAULTS.wholeCacheBytes, 0)
    this.#settings = { threads, chunkBytes, window, maxQueue, kernels, wholeConcurrency }
    this.#wholeCache = new LruCache<string, Uint8Array>(wholeCacheBytes, (bytes) => bytes.byteLength)
    this.#inline = kernels === 'wasm-simd' ? new WasmKernels(instantiateKernels(options.wasmFile)) : undefined
    const entry = workerEntry('cpu-worker', import.meta.url)
    const workerData: CpuWorkerData = { kernels: kernels === 'wasm-simd' ? 'auto' : 'reference', wasmFile: options.wasmFile }
    this.#entry = entry
    this.#workerData = workerData
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
    this.#wholeScheduler = new FairScheduler(async (task) => {
      if (this.#closed) throw closedError()
      try {
        return unwrapWorkerResult(await this.#whole().run(task))
      } catch (err) {
        throw this.#closed ? closedError() : err
      }
    }, wholeConcurrency, maxQueue)
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
      details: {
        threads,
        kernels,
        chunkBytes,
        window,
        maxQueue,
        inlineMaxBytes: this.#inline === undefined ? 0 : INLINE_MAX_BYTES,
        wholeTensor: { concurrency: wholeConcurrency, cacheBytes: wholeCacheBytes }
      }
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
    const w = this.#wholeScheduler
    return { queued: s.queued + w.queued, running: s.running + w.running, started: s.started + w.started, reused: this.#reused }
  }

  /** Whole-matrix results held: entries and bytes. */
  get wholeCache (): { entries: number, bytes: number } {
    return { entries: this.#wholeCache.size, bytes: this.#wholeCache.weight }
  }

  /** The whole-matrix pool: one task per thread, so a QR never sits in a worker's message queue behind another. */
  #whole (): Piscina<ChunkTask, WorkerResult> {
    this.#wholePool ??= new Piscina({
      filename: this.#entry.filename,
      execArgv: this.#entry.execArgv,
      workerData: this.#workerData,
      minThreads: this.#settings.wholeConcurrency,
      maxThreads: this.#settings.wholeConcurrency,
      idleTimeout: Infinity,
      concurrentTasksPerWorker: 1
    })
    return this.#wholePool
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
    const whole = isWholeMatrix(plan)
    const size = itemSize(plan.dtype)
    const total = elementCount(plan.shape) * size
    if (whole && total <= WHOLE_TASK_MAX_BYTES && this.#wholeCache.fits(total)) {
      // The whole tensor once (or from the cache), then the range as chunk-sized views of it.
      if (range.end === range.start) return
      const bytes = (await this.#wholeTensor(plan, stream, signal)).subarray(range.start * size, range.end * size)
      for (let at = 0; at < bytes.byteLength; at += chunkBytes) {
        signal?.throwIfAborted()
        yield bytes.subarray(at, at + chunkBytes)
      }
      return
    }
    const chunks = chunkRanges(range, chunkLength(plan, chunkBytes, range))
    // Results computed but not yielded yet; when the stream ends early they go back to the
    // recycler (which frees them once its consumer closed) instead of waiting for a full GC.
    const unyielded = new Set<ArrayBufferLike>()
    let ended = false
    const start = (chunk: ElementRange): Scheduled<Uint8Array> => {
      if (whole) return this.#submitWhole(plan, chunk, stream)
      // A buffer the consumer released travels to the worker and back with the result.
      const reuse = recycler?.take((chunk.end - chunk.start) * size)
      if (reuse !== undefined) this.#reused++
      const scheduled = this.#submit(plan, chunk, stream, reuse)
      if (recycler === undefined) return scheduled
      scheduled.promise.then((bytes) => {
        if (ended) recycler.discard(bytes.buffer)
        else unyielded.add(bytes.buffer)
      }, () => {})
      return {
        promise: scheduled.promise,
        cancel: (reason?: unknown) => {
          const dropped = scheduled.cancel(reason)
          if (dropped && reuse !== undefined) recycler.discard(reuse)
          return dropped
        }
      }
    }
    // Refill up to the window only when the consumer has pulled: that is the backpressure. When the
    // stream ends early, queued chunks are dropped; running ones finish and their bytes are discarded.
    try {
      for await (const bytes of orderedWindow(chunks, start, { window, signal, refill: 'on-pull' })) {
        unyielded.delete(bytes.buffer)
        if (bytes.byteLength <= chunkBytes) {
          recycler?.lend(bytes)
          yield bytes
        } else {
          // A whole-matrix task (chunking.ts): hand it on in chunk-sized views of its buffer.
          for (let at = 0; at < bytes.byteLength; at += chunkBytes) yield bytes.subarray(at, at + chunkBytes)
        }
      }
    } finally {
      ended = true
      for (const buffer of unyielded) recycler?.discard(buffer)
      unyielded.clear()
    }
  }

  #submit (plan: Plan, chunk: ElementRange, stream: number, buffer: ArrayBuffer | undefined): Scheduled<Uint8Array> {
    const task: ChunkTask = { plan, start: chunk.start, end: chunk.end }
    if (buffer !== undefined) task.buffer = buffer
    return this.#scheduler.submit(stream, task)
  }

  /**
   * A whole-matrix task on its own queue and pool; cancelling it drops it if still queued, else
   * raises the flag its worker reads between Householder columns (reference/cancellation.ts).
   */
  #submitWhole (plan: Plan, chunk: ElementRange, stream: number): Scheduled<Uint8Array> {
    const flag = new Int32Array(new SharedArrayBuffer(4))
    const scheduled = this.#wholeScheduler.submit(stream, { plan, start: chunk.start, end: chunk.end, cancel: flag })
    return {
      promise: scheduled.promise,
      cancel: (reason?: unknown) => {
        if (scheduled.cancel(reason)) return true
        Atomics.store(flag, 0, 1)
        return false
      }
    }
  }

  /**
   * The whole tensor's bytes: from the cache, or from the computation another stream already
   * started for the same plan, or a new one. It is cancelled when the last stream awaiting it
   * leaves before it settles; a result is cached, so a retry or a Range does not recompute.
   */
  async #wholeTensor (plan: Plan, stream: number, signal: AbortSignal | undefined): Promise<Uint8Array> {
    const key = digestLines(['cpu-whole/1', planText(plan)])
    const cached = this.#wholeCache.get(key)
    if (cached !== undefined) return cached
    let flight = this.#flights.get(key)
    if (flight === undefined) {
      const started: WholeFlight = { scheduled: this.#submitWhole(plan, { start: 0, end: elementCount(plan.shape) }, stream), users: 0, settled: false }
      started.scheduled.promise.then((bytes) => {
        if (!this.#closed) this.#wholeCache.set(key, bytes)
      }, () => {}).finally(() => {
        started.settled = true
        if (this.#flights.get(key) === started) this.#flights.delete(key)
      })
      this.#flights.set(key, started)
      flight = started
    }
    flight.users++
    try {
      return await abortRace(flight.scheduled.promise, signal)
    } finally {
      flight.users--
      if (flight.users === 0 && !flight.settled) {
        // Nobody wants it any more: stop it, and let the next request start afresh.
        if (this.#flights.get(key) === flight) this.#flights.delete(key)
        flight.scheduled.cancel()
      }
    }
  }

  /** Stops the workers; streams still running fail with 'engine-unavailable'. */
  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#scheduler.cancelAll(closedError())
    this.#wholeScheduler.cancelAll(closedError())
    this.#wholeCache.clear()
    await Promise.all([this.#pool.destroy(), this.#wholePool?.destroy()])
  }
}

/** The embedded default engine (design §3). */
export function createCpuEngine (options: CpuEngineOptions = {}): CpuEngine {
  return new CpuEngine(options)
}
