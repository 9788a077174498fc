import { TensorInitError } from '../../core/errors.ts'
import { elementCount, type Plan } from '../../core/plan.ts'
import type { MlxTruncatedNormalRecipe, NormalRecipe, UniformRecipe } from '../../core/recipe.ts'
import { sampleNormal } from '../../random/normal.ts'
import { truncatedNormalF32, truncatedNormalHalf } from '../../random/truncated-normal.ts'
import { sampleUniform } from '../../random/uniform.ts'
import { requireSamplerDType, samplerView } from './elements.ts'
import { planKey } from './keys.ts'

/**
 * The MLX random samplers as kernels: one key, the tensor's full size for the counter layout,
 * the element range to compute. The profile picks the float recipe (spec b.5-b.7 / b.13).
 */

export function uniformKernel (plan: Plan, recipe: UniformRecipe, start: number, end: number, out: Uint8Array): void {
  const dtype = requireSamplerDType(plan.dtype, 'uniform')
  const d = { key: planKey(plan, 0), n: elementCount(plan.shape), start, end }
  sampleUniform(plan.profile, dtype, d, recipe.low, recipe.high, samplerView(dtype, out))
}

export function normalKernel (plan: Plan, recipe: NormalRecipe, start: number, end: number, out: Uint8Array): void {
  const dtype = requireSamplerDType(plan.dtype, 'normal')
  const d = { key: planKey(plan, 0), n: elementCount(plan.shape), start, end }
  sampleNormal(plan.profile, dtype, d, recipe.loc, recipe.scale, samplerView(dtype, out))
}

export function mlxTruncatedNormalKernel (plan: Plan, recipe: MlxTruncatedNormalRecipe, start: number, end: number, out: Uint8Array): void {
  const dtype = plan.dtype
  const d = { key: planKey(plan, 0), n: elementCount(plan.shape), start, end }
  if (dtype === 'float32') {
    truncatedNormalF32(plan.profile, d, recipe.lower, recipe.upper, new Float32Array(out.buffer, out.byteOffset, end - start))
  } else if (dtype === 'float16' || dtype === 'bfloat16') {
    truncatedNormalHalf(plan.profile, dtype, d, recipe.lower, recipe.upper, new Uint16Array(out.buffer, out.byteOffset, end - start))
  } else {
    throw new TensorInitError('unsupported-dtype', `MLX truncated normal supports float32, float16 and bfloat16, got ${dtype}`, '/dtype')
  }
}
