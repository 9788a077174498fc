import { move, workerData } from 'piscina'
import { withCancellation } from '../reference/index.ts'
import { ChunkExecutor, type ChunkTask, type KernelMode } from './execute-chunk.ts'
import { toWorkerError, type WorkerResult } from './worker-result.ts'

/**
 * Piscina entry point of the cpu engine's worker threads: one chunk of a plan per task. The
 * result is transferred to the main thread rather than copied: a view of exactly the chunk's
 * bytes, over a fresh buffer or over the one the task brought along for reuse.
 */

export interface CpuWorkerData {
  kernels: KernelMode
  /** The compiled wasm kernels; default build/wasm/kernels.wasm. */
  wasmFile?: string
}

const data = workerData as CpuWorkerData | undefined
const executor = new ChunkExecutor(data?.kernels ?? 'auto', data?.wasmFile)

export default function cpuWorker (task: ChunkTask): WorkerResult {
  let bytes: Uint8Array
  try {
    const flag = task.cancel
    bytes = flag === undefined
      ? executor.run(task.plan, task.start, task.end, task.buffer)
      : withCancellation(() => Atomics.load(flag, 0) !== 0, () => executor.run(task.plan, task.start, task.end, task.buffer))
  } catch (err) {
    const error = toWorkerError(err)
    if (error === undefined) throw err
    return error
  }
  return move(bytes) as Uint8Array
}
