import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Piscina } from 'piscina'
import { TensorInitError } from '../../core/errors.ts'
import { itemSize } from '../../core/dtype.ts'
import { elementCount, type Plan } from '../../core/plan.ts'
import type { Engine, EngineLoad, StreamOptions } from '../engine.ts'
import type { EngineInfo } from '../engine-info.ts'
import type { Exactness } from '../../core/exactness.ts'
import { checkElementRange, type ElementRange } from '../../core/element-range.ts'
import { type MlxDevice, mlxExactness, profileExactness } from './exactness.ts'
import { MLX_PACKAGE, MlxUnavailableError } from './mlx-module.ts'
import type { MlxRequest, MlxWorkerData, MlxWorkerInfo } from './mlx-runtime.ts'
import { type MlxTask, planTasks, type TaskOptions } from './tasks.ts'
import { workerEntry } from '../toolkit/worker-entry.ts'
import { integerOption } from '../toolkit/options.ts'
import { orderedWindow, type WindowTask } from '../toolkit/ordered-window.ts'

/**
 * The `mlx` engine (design §3): plans run as MLX ops in worker threads, on the Metal GPU on
 * Apple-silicon Macs and on MLX's CPU backend elsewhere. One GPU runs one command stream at a
 * time, so the default is one worker; more workers only help on the CPU backend (MLX 0.13 runs
 * each op on one core).
 */

export interface MlxEngineOptions {
  /** Worker threads, each with its own MLX. Default 1. */
  concurrency?: number
  /** Bytes per yielded chunk and per range task (design §3: about 1-4 MiB). Default 4 MiB. */
  chunkBytes?: number
  /**
   * Tensors up to this size are computed in one piece by MLX's own samplers (one task; the
   * worker's peak memory is a few times this). Larger ones go range by range. Default 16 MiB.
   */
  wholeBytes?: number
  /** Tasks in flight per stream: the worker computes the next while the consumer takes this one. Default concurrency + 1. */
  window?: number
  /** Tasks waiting for a worker across all streams before new ones are refused ('overloaded', 503). Default 1024. */
  maxQueue?: number
  /** The bindings' module specifier. Default '@frost-beta/mlx'. */
  mlxModule?: string
  /** Parent directory of the engine's exchange directory. Default /dev/shm when present, else the OS temp dir. */
  exchangeParent?: string
}

export const MLX_DEFAULTS = {
  concurrency: 1,
  maxQueue: 1024,
  chunkBytes: 4 * 2 ** 20,
  wholeBytes: 16 * 2 ** 20
} as const

/** A RAM-backed directory when the host has one (Linux /dev/shm); macOS has none, its temp dir is used. */
function defaultExchangeParent (): string {
  try {
    if (statSync('/dev/shm').isDirectory()) return '/dev/shm'
  } catch {}
  return tmpdir()
}

class MlxEngine implements Engine {
  readonly info: EngineInfo
  readonly #pool: Piscina<MlxRequest, MlxWorkerInfo | Uint8Array>
  readonly #device: MlxDevice
  readonly #tasks: TaskOptions
  readonly #window: number
  readonly #maxQueue: number
  readonly #exchangeDir: string
  #closed = false

  constructor (pool: Piscina<MlxRequest, MlxWorkerInfo | Uint8Array>, worker: MlxWorkerInfo, settings: Required<Omit<MlxEngineOptions, 'mlxModule' | 'exchangeParent'>>, exchangeDir: string) {
    this.#pool = pool
    this.#device = worker.device
    this.#tasks = { chunkBytes: settings.chunkBytes, wholeBytes: settings.wholeBytes }
    this.#window = settings.window
    this.#maxQueue = settings.maxQueue
    this.#exchangeDir = exchangeDir
    this.info = {
      name: 'mlx',
      device: worker.device,
      version: `${MLX_PACKAGE} ${worker.bindingVersion} (MLX ${worker.mlxVersion})`,
      concurrency: settings.concurrency,
      exactness: profileExactness(worker.device),
      details: {
        bindings: MLX_PACKAGE,
        bindingVersion: worker.bindingVersion,
        mlxVersion: worker.mlxVersion,
        backend: worker.device === 'gpu' ? 'metal' : 'cpu',
        metalAvailable: worker.metalAvailable,
        chunkBytes: settings.chunkBytes,
        wholeTensorBytes: settings.wholeBytes,
        fallback: 'orthogonal, the Keras/PyTorch/JAX kinds, float64, integer and bool dtypes run the reference kernels in the same workers'
      }
    }
  }

  exactness (plan: Plan): Exactness {
    return mlxExactness(plan, this.#device)
  }

  /** Tasks waiting for a worker, across all streams (piscina's queue). */
  get load (): EngineLoad {
    return { queued: this.#pool.queueSize }
  }

  async * stream (plan: Plan, range: ElementRange, options: StreamOptions = {}): AsyncGenerator<Uint8Array> {
    checkElementRange(range, elementCount(plan.shape))
    const { signal } = options
    const size = itemSize(plan.dtype)
    const piece = Math.max(1, Math.floor(this.#tasks.chunkBytes / size)) * size
    const start = (task: MlxTask): WindowTask<Uint8Array> => {
      if (this.#pool.queueSize >= this.#maxQueue) {
        throw new TensorInitError('overloaded', `The mlx engine has ${this.#pool.queueSize} chunks waiting; try again shortly.`)
      }
      // A stream abandoned mid-way leaves its running tasks to finish; their results are dropped.
      return { promise: this.#pool.run({ op: 'run', task }) as Promise<Uint8Array> }
    }
    const results = orderedWindow(this.#whileOpen(planTasks(plan, range, this.#tasks)), start, {
      window: this.#window,
      signal,
      // Top the window up before yielding, so the workers compute while the consumer writes.
      refill: 'before-yield',
      // close() terminates the workers under running streams: say so, not "worker terminated".
      failed: (err) => this.#closed && !(signal?.aborted ?? false) ? new TensorInitError('engine-unavailable', 'The mlx engine closed while streaming.') : err
    })
    for await (const bytes of results) {
      for (let offset = 0; offset < bytes.length; offset += piece) {
        yield offset === 0 && bytes.length <= piece ? bytes : bytes.subarray(offset, offset + piece)
      }
    }
  }

  /** The tasks, each taken only while the engine is open: a closed engine starts nothing more. */
  * #whileOpen (tasks: Iterator<MlxTask>): Generator<MlxTask> {
    for (;;) {
      if (this.#closed) throw new TensorInitError('engine-unavailable', 'The mlx engine is closed.')
      const next = tasks.next()
      if (next.done === true) return
      yield next.value
    }
  }

  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#pool.destroy()
    rmSync(this.#exchangeDir, { recursive: true, force: true })
  }
}

/**
 * Starts the workers and loads MLX in one of them. Rejects with MlxUnavailableError, saying why,
 * when MLX cannot load here (design §3: `ENGINE=mlx` fails at start with a clear message).
 */
export async function createMlxEngine (options: MlxEngineOptions = {}): Promise<Engine> {
  const concurrency = integerOption('mlx engine: concurrency', options.concurrency ?? MLX_DEFAULTS.concurrency, 1)
  const settings = {
    concurrency,
    chunkBytes: integerOption('mlx engine: chunkBytes', options.chunkBytes ?? MLX_DEFAULTS.chunkBytes, 1),
    wholeBytes: integerOption('mlx engine: wholeBytes', options.wholeBytes ?? MLX_DEFAULTS.wholeBytes, 1),
    window: integerOption('mlx engine: window', options.window ?? concurrency + 1, 1),
    maxQueue: integerOption('mlx engine: maxQueue', options.maxQueue ?? MLX_DEFAULTS.maxQueue, 1)
  }
  const exchangeDir = mkdtempSync(join(options.exchangeParent ?? defaultExchangeParent(), 'tensor-init-mlx-'))
  const workerData: MlxWorkerData = { mlxModule: options.mlxModule ?? MLX_PACKAGE, exchangeDir }
  const pool = new Piscina<MlxRequest, MlxWorkerInfo | Uint8Array>({
    ...workerEntry('mlx-worker', import.meta.url),
    minThreads: concurrency,
    maxThreads: concurrency,
    idleTimeout: Number.POSITIVE_INFINITY,
    // With piscina's default Atomics.wait between tasks the worker's event loop never turns, so the
    // finalizers that free MLX buffers never run: memory grows by every result and each task pays
    // for fresh pages (measured: 150 ms instead of 23 ms per Mi-element normal). See releaseArrays.
    atomics: 'disabled',
    workerData
  })
  try {
    const info = await pool.run({ op: 'info' }) as MlxWorkerInfo
    return new MlxEngine(pool, info, settings, exchangeDir)
  } catch (err) {
    await pool.destroy()
    rmSync(exchangeDir, { recursive: true, force: true })
    const message = err instanceof Error ? err.message : String(err)
    throw new MlxUnavailableError(`The mlx engine cannot start: ${message}`, err)
  }
}
