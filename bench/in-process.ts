import { ChunkRecycler } from '../src/engines/chunk-recycler.ts'
import { createCpuEngine } from '../src/engines/cpu/cpu-engine.ts'
import { ChunkExecutor } from '../src/engines/cpu/execute-chunk.ts'
import { buildPlan } from '../src/initializers/build-plan.ts'
import { elementCount } from '../src/core/plan.ts'
import { workloads } from './workloads.ts'

/**
 * Where the time goes, without HTTP: per workload,
 *  - `kernel`: elements/s of one thread running the chunk kernels (wasm SIMD, and the reference
 *    TypeScript kernels for comparison) on 2 MiB chunks, best of three passes;
 *  - `engine`: elements/s of the whole cpu engine (worker pool, default threads) drained in-process,
 *    and `engineWithReuse` the same with a ChunkRecycler, each chunk released as soon as it is
 *    counted (what the HTTP layer does once the socket has written a chunk).
 * Prints {"kernel": {name: {wasm, reference}}, "engine": {name: rate}, "engineWithReuse": {...}, "threads": n}.
 */

const bytes = Number(process.argv[2])
const kernelBytes = Math.min(bytes, 64 * 2 ** 20)

function seconds (t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9
}

async function drain (chunks: AsyncIterable<Uint8Array>, recycler?: ChunkRecycler): Promise<number> {
  let bytes = 0
  for await (const chunk of chunks) {
    bytes += chunk.byteLength
    recycler?.release(chunk)
  }
  return bytes
}

const kernel: Record<string, { wasm: number, reference: number }> = {}
const wasm = new ChunkExecutor('auto')
const reference = new ChunkExecutor('reference')
for (const w of workloads(kernelBytes)) {
  const plan = buildPlan({ initializer: w.initializer, shape: [w.elements], dtype: w.dtype, seed: 42 }, 'json')
  const step = (2 * 2 ** 20) / (w.dtype === 'float32' ? 4 : 2)
  // Best of three passes after a warm-up long enough for V8 to tier the wasm up (Liftoff ->
  // TurboFan happens in the background after some hot calls).
  const rate = (executor: ChunkExecutor, elements: number): number => {
    for (let s = 0; s < Math.min(elements, 16 * step); s += step) executor.run(plan, s, s + step)
    let best = 0
    for (let pass = 0; pass < 3; pass++) {
      const t0 = process.hrtime.bigint()
      for (let s = 0; s < elements; s += step) executor.run(plan, s, Math.min(elements, s + step))
      best = Math.max(best, elements / seconds(t0))
    }
    return best
  }
  kernel[w.name] = { wasm: rate(wasm, Math.min(w.elements, 16 * step)), reference: rate(reference, Math.min(w.elements, 4 * step)) }
}

const engine = createCpuEngine()
const rates: Record<string, number> = {}
const reuseRates: Record<string, number> = {}
for (const w of workloads(bytes)) {
  const plan = buildPlan({ initializer: w.initializer, shape: [w.elements], dtype: w.dtype, seed: 42 }, 'json')
  const warm = buildPlan({ initializer: w.initializer, shape: [1 << 20], dtype: w.dtype, seed: 1 }, 'json')
  await drain(engine.stream(warm, { start: 0, end: 1 << 20 }))
  for (const reuse of [false, true]) {
    const recycler = reuse ? new ChunkRecycler() : undefined
    const t0 = process.hrtime.bigint()
    const n = await drain(engine.stream(plan, { start: 0, end: elementCount(plan.shape) }, { recycler }), recycler)
    if (n !== w.elements * (w.dtype === 'float32' ? 4 : 2)) throw new Error(`${w.name}: got ${n} bytes`)
    ;(reuse ? reuseRates : rates)[w.name] = w.elements / seconds(t0)
  }
}
const threads = engine.info.concurrency
await engine.close()
process.stdout.write(`${JSON.stringify({ kernel, engine: rates, engineWithReuse: reuseRates, threads })}\n`)
