import type { RecipeKind } from '../../initializers/recipe.ts'
import { constantKernel, eyeKernel } from './constant.ts'
import type { KernelFor, KernelRegistry } from './kernel.ts'
import { orthogonalKernel } from './orthogonal.ts'
import { mlxTruncatedNormalKernel, normalKernel, uniformKernel } from './samplers.ts'
import { sparseKernel } from './sparse.ts'

/**
 * Reference kernels by recipe kind. The MLX kinds live here; other families register theirs
 * (trunc-normal, dirac, delta-orthogonal, column-sparse) with registerKernel from their own
 * modules. executeRange throws for a kind that has none.
 */
export const kernels: KernelRegistry = {
  constant: constantKernel,
  eye: eyeKernel,
  uniform: uniformKernel,
  normal: normalKernel,
  'mlx-truncated-normal': mlxTruncatedNormalKernel,
  sparse: sparseKernel,
  orthogonal: orthogonalKernel
}

/** Adds or replaces the reference kernel of a recipe kind. */
export function registerKernel<K extends RecipeKind> (kind: K, kernel: KernelFor<K>): void {
  (kernels as Record<K, KernelFor<K>>)[kind] = kernel
}

/** Kinds whose kernels reproduce real MLX bit for bit (orthogonal is deterministic, not MLX-exact). */
export const MLX_EXACT_KINDS: ReadonlySet<RecipeKind> = new Set<RecipeKind>([
  'constant', 'eye', 'uniform', 'normal', 'mlx-truncated-normal', 'sparse'
])
