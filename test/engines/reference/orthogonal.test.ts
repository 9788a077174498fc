import { describe, expect, it } from 'vitest'
import { executeRange, ORTHOGONAL_MAX_FLOPS, ORTHOGONAL_MAX_N, orthogonalFlops, orthogonalQ } from '../../../src/engines/reference/index.ts'
import { TensorInitError } from '../../../src/core/errors.ts'
import type { DType } from '../../../src/core/dtype.ts'
import { halfToF32 } from '../../../src/random/half-conversion.ts'
import { keyFromSeed } from '../../../src/random/keys.ts'
import { makePlan } from './plans.ts'

/** Max |(M M^T or M^T M) - I| for a rows x cols row-major matrix with orthonormal rows or columns. */
function orthoError (m: Float64Array, rows: number, cols: number): number {
  const k = Math.min(rows, cols)
  let worst = 0
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      let s = 0
      // columns if rows >= cols (Q^T Q = I), rows otherwise (Q Q^T = I)
      if (rows >= cols) for (let i = 0; i < rows; i++) s += m[i * cols + a]! * m[i * cols + b]!
      else for (let j = 0; j < cols; j++) s += m[a * cols + j]! * m[b * cols + j]!
      worst = Math.max(worst, Math.abs(s - (a === b ? 1 : 0)))
    }
  }
  return worst
}

function values (bytes: Uint8Array, dtype: DType): Float64Array {
  if (dtype === 'float64') return new Float64Array(bytes.buffer)
  if (dtype === 'float32') return Float64Array.from(new Float32Array(bytes.buffer))
  return Float64Array.from(new Uint16Array(bytes.buffer), (h) => halfToF32(dtype as 'float16' | 'bfloat16', h))
}

describe('orthogonal (float64 Householder QR, sign-fixed)', () => {
  it('Q has orthonormal columns (tall) or rows (wide) to 1e-12 in float64', () => {
    for (const [rows, cols] of [[1, 1], [2, 2], [5, 3], [3, 5], [64, 64], [200, 17], [17, 200], [128, 127]] as const) {
      const q = orthogonalQ('mlx-0.32', keyFromSeed(BigInt(rows * 1000 + cols)), rows, cols)
      expect(orthoError(q, rows, cols), `${rows}x${cols}`).toBeLessThan(1e-12)
    }
  })

  it('float32 output is orthogonal to ~1e-6 and gain scales it; halves round from float32', () => {
    for (const [rows, cols, gain] of [[40, 40, 1], [60, 20, 2], [20, 60, 0.5]] as const) {
      const plan = makePlan({ kind: 'orthogonal', gain, rows, cols, transpose: false }, [rows, cols], 'float32', 'mlx-0.32', 7n)
      const v = values(executeRange(plan, 0, rows * cols), 'float32').map((x) => x / gain)
      expect(orthoError(v, rows, cols)).toBeLessThan(2e-6)
      const q = orthogonalQ('mlx-0.32', plan.keys[0]!, rows, cols)
      v.forEach((x, i) => expect(Math.abs(x - q[i]!)).toBeLessThanOrEqual(Math.abs(q[i]!) * 2 ** -24 + 1e-30))
      const bf = values(executeRange({ ...plan, dtype: 'bfloat16' }, 0, rows * cols), 'bfloat16')
      bf.forEach((x, i) => expect(Math.abs(x / gain - q[i]!)).toBeLessThanOrEqual(Math.abs(q[i]!) * 2 ** -8 + 1e-30))
    }
  })

  it('matches the sign convention: R has a positive diagonal, so Q^T A is upper triangular with R_kk > 0', () => {
    // Rebuild A = the float32 normal the recipe draws, and check (Q^T A)_kk > 0 for a square case.
    const n = 12
    const key = keyFromSeed(99n)
    const q = orthogonalQ('mlx-0.13', key, n, n)
    const a = values(executeRange(makePlan({ kind: 'normal' }, [n, n], 'float32', 'mlx-0.13', [key]), 0, n * n), 'float32')
    for (let k = 0; k < n; k++) {
      for (let j = 0; j < n; j++) {
        let r = 0
        for (let i = 0; i < n; i++) r += q[i * n + k]! * a[i * n + j]!
        if (j < k) expect(Math.abs(r)).toBeLessThan(1e-12)
        if (j === k) expect(r).toBeGreaterThan(0)
      }
    }
  })

  it('is deterministic, and transpose gives the cols x rows transpose', () => {
    const rows = 9
    const cols = 4
    const plan = makePlan({ kind: 'orthogonal', gain: 1.5, rows, cols, transpose: false }, [rows, cols], 'float64', 'mlx-0.32', 3n)
    const a = values(executeRange(plan, 0, rows * cols), 'float64')
    const again = values(executeRange(structuredClone(plan), 0, rows * cols), 'float64')
    expect(again).toEqual(a)
    const tplan = makePlan({ kind: 'orthogonal', gain: 1.5, rows, cols, transpose: true }, [cols, rows], 'float64', 'mlx-0.32', 3n)
    const t = values(executeRange(tplan, 0, rows * cols), 'float64')
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) expect(t[j * rows + i]).toBe(a[i * cols + j])
  })

  it('refuses views beyond the size limits (before any work) and mismatched shapes', () => {
    const big = makePlan({ kind: 'orthogonal', gain: 1, rows: ORTHOGONAL_MAX_N + 1, cols: 2, transpose: false }, [ORTHOGONAL_MAX_N + 1, 2], 'float32', 'mlx-0.32', 1n)
    expect(() => executeRange(big, 0, 1)).toThrow(TensorInitError)
    expect(() => executeRange(big, 0, 1)).toThrow(expect.objectContaining({ code: 'tensor-too-large' }))
    const square = makePlan({ kind: 'orthogonal', gain: 1, rows: 1100, cols: 1100, transpose: false }, [1100, 1100], 'float32', 'mlx-0.32', 1n)
    expect(() => executeRange(square, 0, 1)).toThrow(expect.objectContaining({ code: 'tensor-too-large' }))
    expect(orthogonalFlops(1024, 1024)).toBeLessThanOrEqual(ORTHOGONAL_MAX_FLOPS)
    expect(orthogonalFlops(8192, 256)).toBeLessThanOrEqual(ORTHOGONAL_MAX_FLOPS)
    expect(orthogonalFlops(2048, 2048)).toBeGreaterThan(ORTHOGONAL_MAX_FLOPS)
    const bad = makePlan({ kind: 'orthogonal', gain: 1, rows: 3, cols: 3, transpose: false }, [3, 4], 'float32', 'mlx-0.32', 1n)
    expect(() => executeRange(bad, 0, 1)).toThrow(expect.objectContaining({ code: 'invalid-shape' }))
  })
})
