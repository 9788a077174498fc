import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { elementCount } from '../../core/plan.ts'
import { executeRange } from '../reference/execute.ts'
import type { MlxDevice } from './exactness.ts'
import { type LoadedMlx, loadMlx, mlxDevice, type MxArray } from './mlx-module.ts'
import { tensorRange, wholeTensor } from './mlx-recipes.ts'
import { NpyExchange } from './npy-exchange.ts'
import type { MlxTask } from './tasks.ts'

/**
 * The worker-thread side of the MLX engine: MLX loaded once per thread (the native module loads in
 * worker_threads, spec top box), tasks in, little-endian bytes out.
 */

export interface MlxWorkerData {
  /** Module specifier of the bindings ('@frost-beta/mlx'); injectable so tests can make loading fail. */
  mlxModule: string
  /** Directory for the .npy files that carry arrays in and out of MLX (RAM-backed where possible). */
  exchangeDir: string
}

export interface MlxWorkerInfo {
  device: MlxDevice
  bindingVersion: string
  mlxVersion: string
  metalAvailable: boolean
}

export type MlxRequest = { op: 'info' } | { op: 'run', task: MlxTask }

export class MlxRuntime {
  readonly #mlx: LoadedMlx
  readonly #io: NpyExchange

  constructor (data: MlxWorkerData) {
    this.#mlx = loadMlx(data.mlxModule)
    this.#io = new NpyExchange(data.exchangeDir)
  }

  info (): MlxWorkerInfo {
    const { mx, bindingVersion, mlxVersion } = this.#mlx
    return { device: mlxDevice(mx), bindingVersion, mlxVersion, metalAvailable: mx.metal.isAvailable() }
  }

  /** The bytes of elements [task.start, task.end), in a fresh ArrayBuffer of exactly their size. */
  async run (task: MlxTask): Promise<Uint8Array> {
    const { plan, start, end } = task
    if (task.mode === 'reference') {
      // Recipes MLX does not run exactly: the same kernels the cpu engine runs, so one response
      // never mixes engines' classes (design §1).
      return executeRange(plan, start, end)
    }
    const output = this.#graph(task)
    await dropWrappers()
    return this.#io.bytesOf(this.#mlx.mx, output)
  }

  /** The task's MLX graph, not evaluated (only the draws it loads are). */
  #graph (task: MlxTask): MxArray {
    const { mx } = this.#mlx
    const { plan, start, end } = task
    if (task.mode === 'range') return tensorRange(mx, this.#io, plan, start, end)
    const whole = wholeTensor(mx, plan)
    return start === 0 && end === elementCount(plan.shape) ? whole : whole.index(mx.Slice(start, end))
  }
}

let gc: ((options?: { type: 'minor' | 'major' }) => void) | undefined
let outputSinceFull = 0

function collector (): NonNullable<typeof gc> {
  if (gc === undefined) {
    setFlagsFromString('--expose-gc')
    gc = runInNewContext('gc') as typeof gc
  }
  return gc!
}

/**
 * Lets MLX free each intermediate of a graph as soon as its consumers are computed. Every op of a
 * composed sampler returns a JS wrapper that holds its array, so evaluated as built, all
 * intermediates stay alive to the end and every op writes to fresh pages (measured: 142 ms per
 * Mi-element float32 normal). Collecting the unreachable wrappers first and letting their
 * finalizers run leaves the graph as the only owner, as in MLX's own samplers (39 ms).
 */
async function dropWrappers (): Promise<void> {
  collector()({ type: 'minor' })
  await new Promise((resolve) => setImmediate(resolve))
}

/**
 * Output bytes between two full collections: one per default-size chunk, one per thousand small
 * tasks. A task's MLX intermediates are a few times its output; wrappers that a scavenge during
 * the task promoted keep them until the next full collection, so this bounds what they hold.
 */
const FULL_GC_OUTPUT_BYTES = 4 * 2 ** 20

/**
 * node-mlx 0.0.7 frees an array's buffer only when V8 collects its JS wrapper, and V8 does not
 * count that native memory, so a worker that only runs MLX grows by every output it ever made
 * (measured: +4 MiB per 1 Mi-element task, 850 MiB after 200). So collect after each task; the
 * finalizers then run on the next turn of the worker's event loop, before the next task arrives.
 * A scavenge (about 1 ms) frees the wrappers a task made; a full collection (about 20 ms in a
 * worker that has loaded the service's modules, which would dominate small tasks) runs once per
 * FULL_GC_OUTPUT_BYTES of output, for wrappers a scavenge during the task promoted.
 * `gc` is not exposed to worker threads by flag, but V8 installs it in contexts created after
 * --expose-gc is set.
 */
export function releaseArrays (outputBytes: number): void {
  outputSinceFull += outputBytes
  if (outputSinceFull >= FULL_GC_OUTPUT_BYTES) {
    outputSinceFull = 0
    collector()()
  } else {
    collector()({ type: 'minor' })
  }
}
