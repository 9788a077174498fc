import { elementCount, type Key, type Plan } from '../../core/plan.ts'
import type { Profile } from '../../core/profile.ts'
import type { RoundedNormalRecipe } from '../../core/recipe.ts'
import { normalF32 } from '../../random/normal.ts'
import { planKey } from './keys.ts'
import { type FloatDType, type FloatView, floatView, requireFloatDType, storeWithin } from './round-dtype.ts'

/**
 * The non-MLX families' untruncated normal (Keras RandomNormal / untruncated_normal, torch
 * normal_ / xavier_normal_ / kaiming_normal_, JAX normal / variance_scaling('normal')): each
 * element's MLX float32 standard normal z (spec b.6; with loc/scale not passed it is the same in
 * both profiles: sqrt2_f32 * erfinv(x)), then mean + std * z in double, rounded once to the dtype.
 * "Sample in f32 and round" (frameworks-and-formats §6E): unlike MLX 0.13's half-dtype normal,
 * which runs in half precision and is clipped at +-3.5 (f16) / +-2.9 (bf16), every dtype is the
 * same double sample rounded, with tails out to MLX's float32 limit of 5.42 std.
 */

const BLOCK = 8192
const z = new Float32Array(BLOCK)

/**
 * Writes mean + std * z rounded to `dtype` for elements [start, end) of an n-element draw with
 * `key` into view[offset ...]. Shared with torch sparse_'s values.
 */
export function writeRoundedNormal (profile: Profile, key: Key, n: number, start: number, end: number,
  mean: number, std: number, dtype: FloatDType, view: FloatView, offset = 0): void {
  for (let s = start; s < end; s += BLOCK) {
    const e = Math.min(end, s + BLOCK)
    normalF32(profile, { key, n, start: s, end: e }, undefined, undefined, z)
    for (let i = 0; i < e - s; i++) storeWithin(dtype, view, offset + s - start + i, mean + std * z[i]!, -Infinity, Infinity)
  }
}

export function roundedNormalKernel (plan: Plan, recipe: RoundedNormalRecipe, start: number, end: number, out: Uint8Array): void {
  const dtype = requireFloatDType(plan.dtype, 'normal')
  writeRoundedNormal(plan.profile, planKey(plan, 0), elementCount(plan.shape), start, end, recipe.mean, recipe.std, dtype, floatView(dtype, out))
}
