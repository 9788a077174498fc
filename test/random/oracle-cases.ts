import { executeRange } from '../../src/engines/reference/index.ts'
import type { Key } from '../../src/core/plan.ts'
import type { Profile } from '../../src/core/profile.ts'
import type { Recipe } from '../../src/core/recipe.ts'
import { keyFromSeed, sequenceKeys } from '../../src/random/keys.ts'
import { makePlan } from '../engines/reference/plans.ts'
import { countComparisons, mlx, mlxKey, type MxArray, pullBits } from '../support/mlx-oracle.ts'
import { expectSameBits } from './compare.ts'
import type { TestRng } from './prng.ts'

/**
 * Shared machinery of the live-oracle tests: deterministic random cases (seeds, shapes, dtypes,
 * draw indices), running MLX with the same key sequence, and comparing every element's bits.
 */

export type MlxDTypeName = 'float32' | 'float16' | 'bfloat16'
export const DTYPES: MlxDTypeName[] = ['float32', 'float16', 'bfloat16']

/** Seeds node-mlx can take (JS numbers <= 2^53 - 1), including > 2^32 and near 2^53. */
export function jsSeeds (rng: TestRng): number[] {
  return [0, 1, 42, 2 ** 32 + 7, 2 ** 53 - 1, 2 ** 53 - 12345, rng.u32(), rng.u32() * 2 ** 21 + rng.u32() % 2 ** 21]
}

export const SHAPES: number[][] = [
  [1], [2], [3], [7], [8], [9], [1000], [1001], [4097], [3, 5], [2, 3, 4], [2, 3, 4, 5], [17, 1, 9], [64, 33, 3], [16, 8, 3, 3], [7, 1]
]

export function randomShape (rng: TestRng): number[] {
  if (rng.int(0, 3) > 0) return rng.pick(SHAPES)
  const ndim = rng.int(1, 4)
  const shape: number[] = []
  for (let i = 0; i < ndim; i++) shape.push(rng.int(1, ndim === 1 ? 60000 : Math.round(60 / ndim)))
  return shape
}

/** Where the call's key comes from: mx.random.seed + draw calls, or an explicit key for any uint64 seed. */
export type KeyMode = { kind: 'seed', seed: number, draw: number } | { kind: 'u64', seed: bigint, draw: number }

export function randomKeyMode (rng: TestRng, seeds: number[]): KeyMode {
  const draw = rng.pick([0, 0, 1, 2, 5])
  if (rng.int(0, 3) === 0) return { kind: 'u64', seed: rng.u64(), draw }
  return { kind: 'seed', seed: rng.pick(seeds), draw }
}

/** The keys our plan uses for `count` consecutive calls starting at the mode's draw. */
export function planKeys (mode: KeyMode, count = 1): Key[] {
  return sequenceKeys(BigInt(mode.seed), mode.draw, count)
}

/**
 * Prepares MLX so the next `count` calls use the same keys as planKeys(mode, count): for 'seed',
 * mx.random.seed then `draw` throwaway calls and undefined keys; for 'u64', MLX's own split
 * sequence from a key array built for the full uint64 seed (exercising our sequence against MLX's
 * split for seeds node-mlx cannot take). Returns a function giving the key argument per call.
 */
export function mlxKeys (mode: KeyMode): () => MxArray | undefined {
  const mx = mlx().core
  if (mode.kind === 'seed') {
    mx.random.seed(mode.seed)
    for (let i = 0; i < mode.draw; i++) mx.random.uniform(0, 1, [1])
    return () => undefined
  }
  let k = mlxKey(keyFromSeed(mode.seed))
  const next = (): MxArray => {
    const sp = mx.random.split(k)
    k = sp.index(0)
    return sp.index(1)
  }
  for (let i = 0; i < mode.draw; i++) next()
  return next
}

export function describeMode (mode: KeyMode): string {
  return `${mode.kind === 'seed' ? 'seed' : 'key(u64 seed)'} ${mode.seed} draw ${mode.draw}`
}

/**
 * Compares MLX's array with executeRange of the plan, for the whole tensor and for a random
 * sub-range (which must equal the slice). Counts the elements compared.
 */
export function compareWithMlx (got: MxArray, recipe: Recipe, shape: number[], dtype: MlxDTypeName, profile: Profile, keys: Key[], rng: TestRng, what: string): void {
  const want = pullBits(got)
  const plan = makePlan(recipe, shape, dtype, profile, keys)
  const n = want.length
  const bytes = executeRange(plan, 0, n)
  const ours = dtype === 'float32' ? new Uint32Array(bytes.buffer, 0, n) : new Uint16Array(bytes.buffer, 0, n)
  expectSameBits(ours, want, what)
  const [s, e] = rng.range(n)
  const part = executeRange(plan, s, e)
  const partView = dtype === 'float32' ? new Uint32Array(part.buffer, 0, e - s) : new Uint16Array(part.buffer, 0, e - s)
  expectSameBits(partView, want.subarray(s, e), `${what} range [${s}, ${e})`)
  countComparisons(n + (e - s))
}
