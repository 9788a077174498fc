import type { DType } from '../../../../src/core/dtype.ts'
import type { Key, Plan } from '../../../../src/core/plan.ts'
import type { Profile } from '../../../../src/core/profile.ts'
import type { Recipe } from '../../../../src/core/recipe.ts'

/**
 * Plans built directly from a recipe and a key, to reach every parameter path of the samplers
 * (loc/scale passed or not, 1 and 0 values, truncation bounds) without going through a catalog
 * entry. Plans are plain JSON, so this is exactly what an engine receives.
 */
export function samplerPlan (recipe: Recipe, profile: Profile, dtype: DType, shape: number[], key: Key): Plan {
  return {
    initializer: `test.${recipe.kind}`,
    params: {},
    recipe,
    profile,
    keys: [key],
    keySource: { kind: 'key', key },
    shape,
    dtype,
    mlxExact: true
  }
}

/** Every sampler recipe variant with a wasm kernel, parameters chosen to hit each branch. */
export const SAMPLER_RECIPES: Recipe[] = [
  { kind: 'uniform', low: 0, high: 1 },
  { kind: 'uniform', low: -3, high: 5 },
  { kind: 'uniform', low: -0.1234567, high: 0.1234567 },
  { kind: 'normal' },
  { kind: 'normal', loc: 0.5, scale: 0.02 },
  { kind: 'normal', scale: 0.3 },
  { kind: 'normal', loc: -1.5 },
  { kind: 'normal', loc: 0, scale: 1 },
  { kind: 'mlx-truncated-normal', lower: -2, upper: 2 },
  { kind: 'mlx-truncated-normal', lower: -1, upper: 3 }
]

export const PROFILES: Profile[] = ['mlx-0.13', 'mlx-0.32']
export const MLX_DTYPES = ['float32', 'float16', 'bfloat16'] as const

/** A deterministic stream of keys (xorshift32), so failures are reproducible. */
export function keyStream (seed: number): () => Key {
  let s = seed >>> 0 || 1
  const next = (): number => {
    s ^= s << 13
    s >>>= 0
    s ^= s >>> 17
    s ^= s << 5
    s >>>= 0
    return s
  }
  return () => [next(), next()]
}

export function describeRecipe (recipe: Recipe): string {
  return JSON.stringify(recipe)
}
