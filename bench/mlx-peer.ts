import { createRequire } from 'node:module'
import { workloads } from './workloads.ts'

/**
 * The peer: the same workloads computed in-process by MLX's CPU backend (@frost-beta/mlx 0.0.7,
 * MLX 0.13.1; one thread per op), timed from building the graph to the end of mx.eval, median of
 * `repeat` runs after a small warm-up (and the fastest run). Prints {"available": true,
 * "rates": {name: elements/s}, "fastest": {...}}, or
 * {"available": false, "reason": ...} when the binding cannot load.
 */

interface MxArray { size: number }
interface Mx {
  float32: unknown
  bfloat16: unknown
  eval (...arrays: MxArray[]): void
  random: {
    key (seed: number): MxArray
    normal (shape: number[], dtype: unknown, loc: number, scale: number, key: MxArray): MxArray
    uniform (low: number, high: number, shape: number[], dtype: unknown, key: MxArray): MxArray
  }
}

const bytes = Number(process.argv[2])
const repeat = Number(process.argv[3] ?? 3)

let mx: Mx
try {
  mx = (createRequire(import.meta.url)('@frost-beta/mlx') as { core: Mx }).core
  mx.eval(mx.random.normal([8], mx.float32, 0, 1, mx.random.key(0)))
} catch (err) {
  process.stdout.write(`${JSON.stringify({ available: false, reason: err instanceof Error ? err.message : String(err) })}\n`)
  process.exit(0)
}

const rates: Record<string, number> = {}
const fastest: Record<string, number> = {}
for (const w of workloads(bytes)) {
  const dtype = w.dtype === 'float32' ? mx.float32 : mx.bfloat16
  const sample = (n: number, seed: number): MxArray => w.initializer === 'normal'
    ? mx.random.normal([n], dtype, 0, 1, mx.random.key(seed))
    : mx.random.uniform(0, 1, [n], dtype, mx.random.key(seed))
  mx.eval(sample(1 << 16, 1))
  const seconds: number[] = []
  for (let r = 0; r < repeat; r++) {
    const t0 = process.hrtime.bigint()
    const a = sample(w.elements, 42 + r)
    mx.eval(a)
    seconds.push(Number(process.hrtime.bigint() - t0) / 1e9)
  }
  seconds.sort((a, b) => a - b)
  rates[w.name] = w.elements / seconds[Math.floor(seconds.length / 2)]!
  fastest[w.name] = w.elements / seconds[0]!
}
process.stdout.write(`${JSON.stringify({ available: true, rates, fastest })}\n`)
