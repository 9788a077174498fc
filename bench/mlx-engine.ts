import { measureMlxEngine } from './mlx-throughput.ts'
import { workloads } from './workloads.ts'

/**
 * The service's own `mlx` engine (MLX through @frost-beta/mlx in a worker thread; MLX's CPU
 * backend on Linux, the Metal GPU on Apple silicon) drained in-process on the same workloads.
 * Prints {"available": true, "device", "rates": {name: elements/s}} or {"available": false, "reason"}.
 */
const bytes = Number(process.argv[2])

try {
  const { engine, elementsPerSecond } = await measureMlxEngine(workloads(bytes))
  process.stdout.write(`${JSON.stringify({ available: true, device: engine.device, version: engine.version, rates: elementsPerSecond })}\n`)
} catch (err) {
  process.stdout.write(`${JSON.stringify({ available: false, reason: err instanceof Error ? err.message : String(err) })}\n`)
}
