import { describe, expect, it } from 'vitest'
import { executeRange } from '../../../src/engines/reference/index.ts'
import type { DType } from '../../../src/core/dtype.ts'
import { elementCount } from '../../../src/core/plan.ts'
import type { Profile } from '../../../src/core/profile.ts'
import type { Recipe } from '../../../src/core/recipe.ts'
import { expectSameBits } from '../../random/compare.ts'
import { TestRng } from '../../random/prng.ts'
import { makePlan } from './plans.ts'

/**
 * The property everything else rests on (design §1): any element range of a plan equals the
 * same slice of the whole tensor, byte for byte, for every kind, dtype and profile.
 */

const FLOATS: DType[] = ['float32', 'float16', 'bfloat16', 'float64']
const ALL: DType[] = ['float32', 'float16', 'bfloat16', 'float64', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'bool']
const PROFILES: Profile[] = ['mlx-0.13', 'mlx-0.32']

function randomCase (rng: TestRng): { recipe: Recipe, shape: number[], dtype: DType } {
  const kind = rng.pick(['constant', 'eye', 'uniform', 'normal', 'normal', 'mlx-truncated-normal', 'sparse', 'orthogonal'] as const)
  const dims = (max: number): number[] => {
    const nd = rng.int(1, 4)
    return Array.from({ length: nd }, () => rng.int(1, Math.max(1, Math.round(max ** (1 / nd)))))
  }
  const mat = (): number[] => [rng.int(1, 70), rng.int(1, 70)]
  switch (kind) {
    case 'constant': {
      const dtype = rng.pick(ALL)
      const values = dtype.startsWith('uint') || dtype === 'bool' ? [0, 1, 3, 100] : [0, 1, 3, -2, 0.1, 100]
      return { recipe: { kind, value: rng.pick(values) }, shape: dims(5000), dtype }
    }
    case 'eye': return { recipe: { kind, value: rng.pick([1, 2, 0.5]) }, shape: mat(), dtype: rng.pick(ALL) }
    case 'uniform': return { recipe: { kind, low: -rng.float(), high: rng.float() * 3 }, shape: dims(30000), dtype: rng.pick(FLOATS) }
    case 'normal': {
      const recipe: Recipe = rng.int(0, 1) === 0 ? { kind } : { kind, loc: rng.float() - 0.5, scale: rng.float() * 2 }
      return { recipe, shape: dims(30000), dtype: rng.pick(FLOATS) }
    }
    case 'mlx-truncated-normal': return { recipe: { kind, lower: -2 * rng.float(), upper: 2 * rng.float() + 0.01 }, shape: dims(30000), dtype: rng.pick(['float32', 'float16', 'bfloat16'] as DType[]) }
    case 'sparse': return { recipe: { kind, sparsity: rng.pick([0, 0.1, 0.5, 0.9, 1]), loc: 0, scale: rng.float() }, shape: mat(), dtype: rng.pick(FLOATS) }
    case 'orthogonal': {
      const [rows, cols] = mat() as [number, number]
      const transpose = rng.int(0, 1) === 1
      return { recipe: { kind, gain: rng.pick([1, 0.5, 2]), rows, cols, transpose }, shape: transpose ? [cols, rows] : [rows, cols], dtype: rng.pick(FLOATS) }
    }
  }
}

describe('executeRange: ranges equal slices of the whole', () => {
  it('random plans, random ranges, every implemented kind and dtype, both profiles', () => {
    const rng = new TestRng(0xa11)
    const seen = new Set<string>()
    for (let trial = 0; trial < 250; trial++) {
      const { recipe, shape, dtype } = randomCase(rng)
      const profile = rng.pick(PROFILES)
      const plan = makePlan(recipe, shape, dtype, profile, rng.u64(), rng.int(0, 3))
      const n = elementCount(shape)
      const whole = executeRange(plan, 0, n)
      for (let r = 0; r < 4; r++) {
        const [s, e] = r === 0 ? [0, n] : r === 1 ? [n - 1, n] : rng.range(n)
        const size = whole.length / Math.max(n, 1)
        expectSameBits(executeRange(plan, s, e), whole.subarray(s * size, e * size), `${recipe.kind} ${dtype} ${profile} [${shape}] range [${s}, ${e})`)
      }
      seen.add(`${recipe.kind}/${dtype}`)
    }
    // every kind was exercised in every float dtype
    for (const kind of ['constant', 'eye', 'uniform', 'normal', 'sparse', 'orthogonal']) {
      for (const dtype of FLOATS) expect(seen, `${kind}/${dtype}`).toContain(`${kind}/${dtype}`)
    }
    for (const dtype of ['float32', 'float16', 'bfloat16']) expect(seen).toContain(`mlx-truncated-normal/${dtype}`)
  })

  it('empty ranges and out-of-range requests', () => {
    const plan = makePlan({ kind: 'normal' }, [10], 'float32', 'mlx-0.32', 1n)
    expect(executeRange(plan, 4, 4)).toHaveLength(0)
    expect(() => executeRange(plan, 5, 11)).toThrow(RangeError)
    expect(() => executeRange(plan, -1, 2)).toThrow(RangeError)
    expect(() => executeRange(plan, 3, 2)).toThrow(RangeError)
  })

  it('kinds without a reference kernel throw a clear error', () => {
    const plan = makePlan({ kind: 'normal' }, [4], 'float32', 'mlx-0.32', 1n)
    const bogus = { ...plan, recipe: { kind: 'no-such-kind' } as unknown as Recipe }
    expect(() => executeRange(bogus, 0, 4)).toThrow(/no reference kernel for recipe kind "no-such-kind"/)
  })
})
