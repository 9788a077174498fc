import { describe, expect, it } from 'vitest'
import type { DType } from '../../../src/core/dtype.ts'
import { recipePlan, values } from '../../initializers/sample.ts'

/** torch.nn.init.dirac_ written out as torch/nn/init.py loops it, on a flat C-order array. */
function torchDirac (shape: number[], groups: number): Float64Array {
  const out = new Float64Array(shape.reduce((a, b) => a * b, 1))
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1))
  const perGroup = shape[0]! / groups
  const minDim = Math.min(perGroup, shape[1]!)
  for (let g = 0; g < groups; g++) {
    for (let d = 0; d < minDim; d++) {
      const index = [g * perGroup + d, d, ...shape.slice(2).map((k) => Math.floor(k / 2))]
      out[index.reduce((acc, v, i) => acc + v * strides[i]!, 0)] = 1
    }
  }
  return out
}

describe('dirac kernel', () => {
  const CASES: Array<[number[], number]> = [
    [[6, 4, 3], 1],
    [[4, 6, 5], 1],
    [[8, 3, 3, 3], 2],
    [[6, 2, 4, 4], 3],
    [[4, 4, 2, 3, 4], 1],
    [[9, 9, 1], 3],
    [[3, 16, 5, 5], 1]
  ]

  for (const [shape, groups] of CASES) {
    it(`shape (${shape.join(', ')}), groups ${groups}: torch's centre taps`, () => {
      expect(values(recipePlan({ kind: 'dirac', groups, value: 1 }, shape, 'float32'))).toEqual(torchDirac(shape, groups))
    })
  }

  it('writes 1 in every dtype, integer and bool included', () => {
    const want = torchDirac([4, 4, 3], 2)
    for (const dtype of ['float16', 'bfloat16', 'float64', 'int8', 'uint16', 'int32', 'int64', 'uint64', 'bool'] as DType[]) {
      expect(values(recipePlan({ kind: 'dirac', groups: 2, value: 1 }, [4, 4, 3], dtype))).toEqual(want)
    }
  })

  it('computes any range as the slice of the whole', () => {
    const plan = recipePlan({ kind: 'dirac', groups: 2, value: 1 }, [8, 6, 3, 5], 'float32')
    const whole = values(plan)
    for (let s = 0; s < whole.length; s += 37) {
      for (const len of [1, 7, 90, 500]) {
        const e = Math.min(whole.length, s + len)
        expect(values(plan, s, e)).toEqual(whole.subarray(s, e))
      }
    }
  })
})
