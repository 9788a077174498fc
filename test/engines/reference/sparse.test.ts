import { describe, expect, it } from 'vitest'
import { executeRange } from '../../../src/engines/reference/index.ts'
import { smallestColumns, sparseZeroCount } from '../../../src/engines/reference/sparse.ts'
import { TensorInitError } from '../../../src/core/errors.ts'
import type { DType } from '../../../src/core/dtype.ts'
import { TestRng } from '../../random/prng.ts'
import { makePlan } from './plans.ts'

describe('MLX 0.32 nn.init.sparse kernel', () => {
  it('smallestColumns is the stable ascending argsort prefix (ties by column)', () => {
    const u = new Float32Array([0.5, 0.25, 0.5, 0.25, 0.75, 0, 0.5])
    expect(Array.from(smallestColumns(u, 3))).toEqual([1, 3, 5])
    expect(Array.from(smallestColumns(u, 4))).toEqual([0, 1, 3, 5]) // 0.5 tie: column 0 first
    expect(Array.from(smallestColumns(u, 5))).toEqual([0, 1, 2, 3, 5])
    expect(Array.from(smallestColumns(u, 0))).toEqual([])
    expect(Array.from(smallestColumns(u, 9))).toEqual([0, 1, 2, 3, 4, 5, 6])
    // agrees with a comparator sort on random data with many ties
    const rng = new TestRng(5)
    for (let t = 0; t < 200; t++) {
      const cols = rng.int(1, 300)
      const v = Float32Array.from({ length: cols }, () => rng.int(0, 20) / 32)
      const k = rng.int(0, cols)
      const order = Array.from({ length: cols }, (_, i) => i).sort((a, b) => (v[a]! - v[b]!) || (a - b))
      expect(Array.from(smallestColumns(v, k))).toEqual(order.slice(0, k).sort((a, b) => a - b))
    }
  })

  it('every row has exactly ceil(sparsity * cols) zeros, in every dtype', () => {
    const rng = new TestRng(6)
    for (const dtype of ['float32', 'float16', 'bfloat16', 'float64'] as DType[]) {
      for (const [rows, cols, sparsity] of [[10, 10, 0.5], [7, 33, 0.1], [3, 100, 0.99], [20, 4, 0.3]] as const) {
        const plan = makePlan({ kind: 'sparse', sparsity, loc: 0.5, scale: 0.1 }, [rows, cols], dtype, rng.pick(['mlx-0.13', 'mlx-0.32'] as const), rng.u64())
        const bytes = executeRange(plan, 0, rows * cols)
        const size = bytes.length / (rows * cols)
        for (let r = 0; r < rows; r++) {
          let zeros = 0
          for (let c = 0; c < cols; c++) {
            const at = (r * cols + c) * size
            if (bytes.subarray(at, at + size).every((b) => b === 0)) zeros++
          }
          expect(zeros, `${dtype} ${rows}x${cols} row ${r}`).toBe(sparseZeroCount(sparsity, cols))
        }
      }
    }
  })

  it('validates rank and sparsity', () => {
    expect(() => executeRange(makePlan({ kind: 'sparse', sparsity: 0.5, loc: 0, scale: 1 }, [4, 4, 4], 'float32', 'mlx-0.32', 1n), 0, 4)).toThrow(TensorInitError)
    expect(() => executeRange(makePlan({ kind: 'sparse', sparsity: 1.5, loc: 0, scale: 1 }, [4, 4], 'float32', 'mlx-0.32', 1n), 0, 4)).toThrow(TensorInitError)
    expect(sparseZeroCount(0.1, 33)).toBe(4)
    expect(sparseZeroCount(1, 5)).toBe(5)
  })
})
