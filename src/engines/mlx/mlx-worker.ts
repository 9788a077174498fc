import { move, workerData } from 'piscina'
import { type MlxRequest, MlxRuntime, type MlxWorkerData, type MlxWorkerInfo, releaseArrays } from './mlx-runtime.ts'

/**
 * Piscina entry point of the MLX engine's worker threads. MLX loads on the first request rather
 * than at import, so a host that cannot load it answers the engine's start-up probe with the
 * reason instead of a worker that dies before it can say anything.
 */

let runtime: MlxRuntime | undefined

export default async function mlxWorker (request: MlxRequest): Promise<MlxWorkerInfo | Uint8Array> {
  runtime ??= new MlxRuntime(workerData as MlxWorkerData)
  if (request.op === 'info') return runtime.info()
  const bytes = await runtime.run(request.task)
  releaseArrays(bytes.byteLength)
  // Transfer, not copy: the buffer is fresh and exactly the result's size.
  return move(bytes) as Uint8Array
}
