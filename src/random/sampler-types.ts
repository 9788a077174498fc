import { checkElementRange } from '../core/element-range.ts'
import type { Key } from '../core/plan.ts'

/**
 * Shared shapes of the range-aware samplers. A sampler fills elements [start, end) of an
 * n-element tensor drawn with `key`, writing element `start + i` to `out[outOffset + i]`.
 */

/** dtypes the samplers produce: MLX's three plus the service's own float64 recipes. */
export type SamplerDType = 'float32' | 'float16' | 'bfloat16' | 'float64'

/**
 * Where samples go: float32 values (Float32Array), float16/bfloat16 bit patterns (Uint16Array)
 * or float64 values (Float64Array). A little-endian view of these is the tensor's bytes.
 */
export type SampleOut = Float32Array | Uint16Array | Float64Array

/** One key's draw and the element range of it to compute. */
export interface DrawRange {
  key: Key
  /** Total elements drawn with this key (the tensor's size): the counter layout depends on it. */
  n: number
  start: number
  end: number
}

/** Throws a RangeError unless `d` is a valid draw range and `out` has room for it from `outOffset`. */
export function checkRange (d: DrawRange, out: { length: number }, outOffset: number): void {
  if (!Number.isSafeInteger(d.n) || d.n < 0) throw new RangeError(`element count must be a non-negative integer, got ${d.n}`)
  checkElementRange(d, d.n)
  if (out.length - outOffset < d.end - d.start) throw new RangeError('output array too small for the element range')
}
