import { describe, expect, it } from 'vitest'
import { orthogonalMatrix } from '../../../src/engines/reference/orthogonal.ts'
import type { FloatDType } from '../../../src/engines/reference/round-dtype.ts'
import { roundTo } from '../../../src/engines/reference/round-dtype.ts'
import { orthogonalityError, recipePlan, values } from '../../initializers/sample.ts'

describe('orthogonal-moved kernel (jax orthogonal, middle column_axis)', () => {
  it('places Q[a*inner + c, b] at (a, b, c): orthonormal columns along the moved axis', () => {
    // shape (4, 5, 6), column_axis 1: rows = 4*6 = 24, cols = 5, inner = 6
    const plan = recipePlan({ kind: 'orthogonal-moved', gain: 2, rows: 24, cols: 5, inner: 6 }, [4, 5, 6], 'float64')
    const v = values(plan)
    const q = orthogonalMatrix(plan, { rows: 24, cols: 5 })
    const moved = new Float64Array(120)
    for (let a = 0; a < 4; a++) {
      for (let b = 0; b < 5; b++) {
        for (let c = 0; c < 6; c++) moved[(a * 6 + c) * 5 + b] = v[(a * 5 + b) * 6 + c]!
      }
    }
    expect([...moved]).toEqual([...q].map((x) => 2 * x))
    expect(orthogonalityError(moved, 24, 5, 2, false)).toBeLessThan(1e-12)
  })

  it('keeps orthogonality after rounding to every dtype (to the dtype\'s precision)', () => {
    const tol: Record<FloatDType, number> = { float64: 1e-12, float32: 1e-6, float16: 1e-2, bfloat16: 4e-2 }
    for (const dtype of ['float32', 'float16', 'bfloat16', 'float64'] as FloatDType[]) {
      // shape (3, 8, 2), column_axis 1: rows 6 < cols 8, so the rows of the moved view are orthonormal.
      const v = values(recipePlan({ kind: 'orthogonal-moved', gain: 1, rows: 6, cols: 8, inner: 2 }, [3, 8, 2], dtype))
      const moved = new Float64Array(48)
      for (let a = 0; a < 3; a++) for (let b = 0; b < 8; b++) for (let c = 0; c < 2; c++) moved[(a * 2 + c) * 8 + b] = v[(a * 8 + b) * 2 + c]!
      expect(orthogonalityError(moved, 6, 8, 1, true)).toBeLessThan(tol[dtype])
    }
  })

  it('computes any range as the slice of the whole', () => {
    const plan = recipePlan({ kind: 'orthogonal-moved', gain: 1.5, rows: 28, cols: 9, inner: 7 }, [4, 9, 7], 'bfloat16')
    const whole = values(plan)
    for (const [s, e] of [[0, 1], [0, 252], [62, 63], [10, 200], [251, 252]] as const) expect(values(plan, s, e)).toEqual(whole.subarray(s, e))
  })
})

describe('delta-orthogonal kernel (jax delta_orthogonal)', () => {
  it('is zero except the centre tap, which holds scale * an (in, out) matrix with orthonormal rows', () => {
    for (const transpose of [false, true]) {
      // shape (3, 4, 5, 7): taps 3 x 4, centre ((3-1)//2, (4-1)//2) = (1, 1) -> tap 1*4 + 1 = 5
      const [rows, cols] = transpose ? [7, 5] : [5, 7]
      const plan = recipePlan({ kind: 'delta-orthogonal', scale: 3, rows, cols, transpose, center: 5 }, [3, 4, 5, 7], 'float64')
      const v = values(plan)
      const block = v.subarray(5 * 35, 6 * 35)
      expect([...v.subarray(0, 5 * 35), ...v.subarray(6 * 35)].every((x) => x === 0)).toBe(true)
      expect(orthogonalityError(block, 5, 7, 3, true)).toBeLessThan(1e-12)
      const q = orthogonalMatrix(plan, { rows, cols })
      for (let i = 0; i < 5; i++) {
        for (let o = 0; o < 7; o++) expect(block[i * 7 + o]).toBe(3 * (transpose ? q[o * cols + i]! : q[i * cols + o]!))
      }
    }
  })

  it('rounds once to the dtype and computes any range as the slice of the whole', () => {
    const plan = recipePlan({ kind: 'delta-orthogonal', scale: 1, rows: 4, cols: 6, transpose: false, center: 13 }, [3, 3, 3, 4, 6], 'float16')
    const whole = values(plan)
    const exact = values({ ...plan, dtype: 'float64' })
    expect([...whole]).toEqual([...exact].map((x) => roundTo('float16', x)))
    for (const [s, e] of [[0, 1], [0, 648], [312, 313], [300, 340], [330, 648]] as const) expect(values(plan, s, e)).toEqual(whole.subarray(s, e))
  })
})
