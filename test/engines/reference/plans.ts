import type { DType } from '../../../src/core/dtype.ts'
import type { Key, Plan } from '../../../src/core/plan.ts'
import type { Profile } from '../../../src/core/profile.ts'
import { keysUsed, type Recipe } from '../../../src/core/recipe.ts'
import { sequenceKeys } from '../../../src/random/keys.ts'

/** A Plan for the reference kernels, as the plan builder would make it (test helper). */
export function makePlan (recipe: Recipe, shape: number[], dtype: DType, profile: Profile, keysOrSeed: Key[] | bigint, draw = 0): Plan {
  const keys = typeof keysOrSeed === 'bigint' ? sequenceKeys(keysOrSeed, draw, keysUsed(recipe)) : keysOrSeed
  return {
    initializer: `test.${recipe.kind}`,
    params: {},
    recipe,
    profile,
    keys,
    keySource: typeof keysOrSeed === 'bigint'
      ? { kind: 'seed', seed: keysOrSeed.toString(), draw }
      : { kind: 'key', key: keys[0] ?? [0, 0] },
    shape,
    dtype,
    mlxExact: recipe.kind !== 'orthogonal'
  }
}

/** MLX fans for the (out, ..., in) layout (spec b.14). */
export function mlxFans (shape: readonly number[]): { fanIn: number, fanOut: number } {
  if (shape.length < 2) throw new Error('fans need at least 2 dimensions')
  let rf = 1
  for (const d of shape.slice(1, -1)) rf *= d
  return { fanIn: shape[shape.length - 1]! * rf, fanOut: shape[0]! * rf }
}
