import type { RecipeKind } from '../../core/recipe.ts'
import { columnSparseKernel } from './column-sparse.ts'
import { constantKernel, eyeKernel } from './constant.ts'
import { diracKernel } from './dirac.ts'
import type { KernelFor, KernelRegistry } from './kernel.ts'
import { deltaOrthogonalKernel, orthogonalMovedKernel } from './orthogonal-views.ts'
import { orthogonalKernel } from './orthogonal.ts'
import { roundedNormalKernel } from './rounded-normal.ts'
import { roundedUniformKernel } from './rounded-uniform.ts'
import { mlxTruncatedNormalKernel, normalKernel, uniformKernel } from './samplers.ts'
import { sparseKernel } from './sparse.ts'
import { truncNormalKernel } from './trunc-normal.ts'

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
  orthogonal: orthogonalKernel,
  // Keras / PyTorch / JAX families (their distributions, drawn in double and rounded once)
  'trunc-normal': truncNormalKernel,
  'rounded-normal': roundedNormalKernel,
  'rounded-uniform': roundedUniformKernel,
  dirac: diracKernel,
  'column-sparse': columnSparseKernel,
  'orthogonal-moved': orthogonalMovedKernel,
  'delta-orthogonal': deltaOrthogonalKernel
}

/** Adds or replaces the reference kernel of a recipe kind. */
export function registerKernel<K extends RecipeKind> (kind: K, kernel: KernelFor<K>): void {
  (kernels as Record<K, KernelFor<K>>)[kind] = kernel
}

/** Kinds whose kernels reproduce real MLX bit for bit (orthogonal is deterministic, not MLX-exact). */
export const MLX_EXACT_KINDS: ReadonlySet<RecipeKind> = new Set<RecipeKind>([
  'constant', 'eye', 'uniform', 'normal', 'mlx-truncated-normal', 'sparse'
])
