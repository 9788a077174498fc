import { describe, expect, it } from 'vitest'
import { columnThreshold, columnThresholds } from '../../../src/engines/reference/column-sparse.ts'
import type { FloatDType } from '../../../src/engines/reference/round-dtype.ts'
import type { ColumnSparseRecipe } from '../../../src/core/recipe.ts'
import { fillWords } from '../../../src/random/bits.ts'
import { recipePlan, values } from '../../initializers/sample.ts'
import { expectKs, normal } from '../../support/stats.ts'

/**
 * torch sparse_: values are the rounded-normal of the first key; in every column the rows with the
 * `zeros` smallest (word, row) pairs of the second key are zero. Checked against a brute-force
 * sort of each column.
 */

function sparse (zeros: number, std = 0.5): ColumnSparseRecipe {
  return { kind: 'column-sparse', sparsity: 0, std, zeros }
}

/** The zero mask by brute force: sort each column's (word, row) pairs. */
function bruteMask (key: readonly [number, number], rows: number, cols: number, zeros: number): boolean[] {
  const words = new Uint32Array(rows * cols)
  fillWords(key, rows * cols, 0, rows * cols, words)
  const mask = new Array<boolean>(rows * cols).fill(false)
  for (let c = 0; c < cols; c++) {
    const pairs = Array.from({ length: rows }, (_, r) => [words[r * cols + c]!, r] as const)
    pairs.sort((x, y) => x[0] - y[0] || x[1] - y[1])
    for (const [, r] of pairs.slice(0, zeros)) mask[r * cols + c] = true
  }
  return mask
}

describe('column-sparse kernel', () => {
  it('zeroes exactly the rows a brute-force per-column sort picks, and keeps the normal values elsewhere', () => {
    for (const [rows, cols, zeros] of [[40, 7, 10], [13, 13, 1], [5, 30, 4], [64, 3, 63]] as const) {
      const plan = recipePlan(sparse(zeros), [rows, cols], 'float32')
      const got = values(plan)
      const dense = values({ ...plan, recipe: { kind: 'rounded-normal', mean: 0, std: 0.5 } })
      const mask = bruteMask(plan.keys[1]!, rows, cols, zeros)
      expect([...got]).toEqual(mask.map((z, i) => (z ? 0 : dense[i]!)))
    }
  })

  it('agrees with the brute force on the thresholds of many keys', () => {
    for (let seed = 1n; seed < 40n; seed++) {
      const plan = recipePlan(sparse(3), [9, 4], 'float32', seed)
      const key = plan.keys[1]!
      const th = columnThresholds(key, 9, 4, 3)
      const words = new Uint32Array(36)
      fillWords(key, 36, 0, 36, words)
      const mask = bruteMask(key, 9, 4, 3)
      for (let i = 0; i < 36; i++) {
        const r = Math.floor(i / 4)
        const c = i % 4
        const zero = words[i]! < th.word[c]! || (words[i] === th.word[c] && r <= th.row[c]!)
        expect(zero).toBe(mask[i])
      }
    }
  })

  it('breaks ties between equal words by row, as a stable sort of (word, row) does', () => {
    const column = Uint32Array.from([5, 3, 5, 9, 5, 1, 5])
    const scratch = new Uint32Array(column.length)
    // sorted pairs: (1,5) (3,1) (5,0) (5,2) (5,4) (5,6) (9,3)
    expect(columnThreshold(column, 1, scratch)).toEqual({ word: 1, row: 5 })
    expect(columnThreshold(column, 2, scratch)).toEqual({ word: 3, row: 1 })
    expect(columnThreshold(column, 3, scratch)).toEqual({ word: 5, row: 0 })
    expect(columnThreshold(column, 5, scratch)).toEqual({ word: 5, row: 4 })
    expect(columnThreshold(column, 6, scratch)).toEqual({ word: 5, row: 6 })
  })

  it('has exactly ceil(sparsity * rows) zeros in every column; none for 0, all for rows', () => {
    for (const dtype of ['float32', 'float16', 'bfloat16', 'float64'] as FloatDType[]) {
      for (const zeros of [0, 1, 37, 500]) {
        const v = values(recipePlan(sparse(zeros), [500, 12], dtype))
        for (let c = 0; c < 12; c++) {
          let count = 0
          for (let r = 0; r < 500; r++) if (v[r * 12 + c] === 0) count++
          expect(count).toBe(zeros)
        }
      }
    }
  })

  it('spreads the zeros evenly over the rows (each row ~ Binomial(cols, zeros/rows))', () => {
    const rows = 50
    const cols = 400
    const v = values(recipePlan(sparse(10), [rows, cols], 'float32', 3n))
    // Mean 80, sd sqrt(400 * 0.2 * 0.8) = 8; 6 sd bounds over 50 rows never flake.
    for (let r = 0; r < rows; r++) {
      let count = 0
      for (let c = 0; c < cols; c++) if (v[r * cols + c] === 0) count++
      expect(Math.abs(count - 80)).toBeLessThanOrEqual(48)
    }
  })

  it('draws the non-zero values from N(0, std^2)', () => {
    const v = values(recipePlan(sparse(100, 0.01), [1000, 150], 'float32'))
    const nonzero = [...v].filter((x) => x !== 0)
    expect(nonzero.length).toBe(900 * 150)
    expectKs(nonzero, normal(0, 0.01), 'float32')
  })

  it('computes any range as the slice of the whole', () => {
    const plan = recipePlan(sparse(7), [31, 17], 'bfloat16')
    const whole = values(plan)
    for (const [s, e] of [[0, 1], [0, 527], [16, 18], [100, 400], [526, 527], [17, 34]] as const) {
      expect(values(plan, s, e)).toEqual(whole.subarray(s, e))
    }
  })
})
