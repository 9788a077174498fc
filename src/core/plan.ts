import type { DType } from './dtype.ts'
import type { Profile } from './profile.ts'
import type { Recipe } from './recipe.ts'

/** A Threefry key as MLX stores it: [hi32, lo32] of the 64-bit seed (spec b.1), uint32 each. */
export type Key = readonly [number, number]

/** Where the plan's keys came from, kept for metadata and ETags. */
export type KeySource =
  | { kind: 'seed', seed: string, draw: number }
  | { kind: 'key', key: Key }

/**
 * A request reduced to what determines its bytes: initializer + resolved params + profile + keys
 * + shape + dtype. Engines execute plans (together with an element range); ETags hash them; they
 * are plain JSON, so they cross worker threads and hosts unchanged.
 */
export interface Plan {
  /** Canonical catalog id, e.g. "he_normal" or "keras.HeNormal". */
  initializer: string
  /** The initializer's parameters with defaults filled in (as the client would name them). */
  params: Record<string, unknown>
  recipe: Recipe
  profile: Profile
  /** Keys the recipe consumes, in order (recipe.keysUsed of them). */
  keys: Key[]
  keySource: KeySource
  shape: number[]
  dtype: DType
  /** True when these bytes equal real MLX's for `profile` (MLX family, float32/16/bf16, not orthogonal). */
  mlxExact: boolean
}

/** Element count of a shape (1 for a scalar shape []). */
export function elementCount (shape: readonly number[]): number {
  let n = 1
  for (const d of shape) n *= d
  return n
}
