import { describe, expect, it } from 'vitest'
import { executeRange } from '../../../src/engines/reference/index.ts'
import { TensorInitError } from '../../../src/core/errors.ts'
import type { DType } from '../../../src/core/dtype.ts'
import { makePlan } from './plans.ts'

const run = (value: number, dtype: DType, shape = [2, 3], kind: 'constant' | 'eye' = 'constant'): Uint8Array =>
  executeRange(makePlan({ kind, value }, shape, dtype, 'mlx-0.32', []), 0, shape.reduce((a, b) => a * b, 1))

describe('constant and eye kernels', () => {
  it('float dtypes take the value double -> float32 -> dtype', () => {
    expect(Array.from(new Float32Array(run(0.1, 'float32').buffer))).toEqual(Array(6).fill(Math.fround(0.1)))
    expect(Array.from(new Uint16Array(run(0.1, 'float16').buffer))).toEqual(Array(6).fill(0x2e66))
    expect(Array.from(new Uint16Array(run(0.1, 'bfloat16').buffer))).toEqual(Array(6).fill(0x3dcd))
    expect(Array.from(new Float64Array(run(0.1, 'float64').buffer))).toEqual(Array(6).fill(0.1))
    expect(Array.from(new Uint16Array(run(70000, 'float16').buffer))).toEqual(Array(6).fill(0x7c00))
  })

  it('integer and bool dtypes hold exact integers', () => {
    expect(Array.from(new Int8Array(run(-7, 'int8').buffer))).toEqual(Array(6).fill(-7))
    expect(Array.from(new Uint32Array(run(4294967295, 'uint32').buffer))).toEqual(Array(6).fill(4294967295))
    expect(Array.from(new BigInt64Array(run(-(2 ** 53), 'int64').buffer))).toEqual(Array(6).fill(-(2n ** 53n)))
    expect(Array.from(new BigUint64Array(run(2 ** 63, 'uint64').buffer))).toEqual(Array(6).fill(2n ** 63n))
    expect(Array.from(run(0.5, 'bool'))).toEqual(Array(6).fill(1))
    expect(Array.from(run(0, 'bool'))).toEqual(Array(6).fill(0))
    expect(Array.from(new Int16Array(run(2.9, 'int16').buffer))).toEqual(Array(6).fill(2)) // C truncation
    expect(() => run(300, 'uint8')).toThrow(TensorInitError)
    expect(() => run(-1, 'uint64')).toThrow(TensorInitError)
  })

  it('eye puts the value on the main diagonal of any 2-D shape, any dtype', () => {
    expect(Array.from(new Int32Array(run(3, 'int32', [2, 4], 'eye').buffer))).toEqual([3, 0, 0, 0, 0, 3, 0, 0])
    expect(Array.from(new Float32Array(run(1, 'float32', [3, 2], 'eye').buffer))).toEqual([1, 0, 0, 1, 0, 0])
    expect(Array.from(new BigInt64Array(run(1, 'int64', [2, 2], 'eye').buffer))).toEqual([1n, 0n, 0n, 1n])
    expect(Array.from(run(1, 'bool', [3, 3], 'eye'))).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1])
    expect(() => run(1, 'float32', [2, 2, 2], 'eye')).toThrow(TensorInitError)
  })

  it('random kinds refuse integer dtypes with unsupported-dtype', () => {
    const plan = makePlan({ kind: 'normal' }, [4], 'int32', 'mlx-0.32', 1n)
    expect(() => executeRange(plan, 0, 4)).toThrow(expect.objectContaining({ code: 'unsupported-dtype' }))
    const t = makePlan({ kind: 'mlx-truncated-normal', lower: -2, upper: 2 }, [4], 'float64', 'mlx-0.32', 1n)
    expect(() => executeRange(t, 0, 4)).toThrow(expect.objectContaining({ code: 'unsupported-dtype' }))
  })
})
