import { TensorInitError } from '../../core/errors.ts'
import { itemSize } from '../../core/dtype.ts'
import type { Plan } from '../../core/plan.ts'
import type { ConstantRecipe, EyeRecipe } from '../../core/recipe.ts'
import { fillElements } from './elements.ts'

/** mx.full(shape, value, dtype): every element is `value` in the dtype (no key). */
export function constantKernel (plan: Plan, recipe: ConstantRecipe, start: number, end: number, out: Uint8Array): void {
  fillElements(plan.dtype, recipe.value, out, 0, end - start)
}

/**
 * A 2-D matrix with `value` on the main diagonal (mx.eye(n, m, 0, dtype) times value; MLX
 * identity is value 1). Rectangular is fine; the diagonal is where row == column.
 */
export function eyeKernel (plan: Plan, recipe: EyeRecipe, start: number, end: number, out: Uint8Array): void {
  if (plan.shape.length !== 2) {
    throw new TensorInitError('invalid-rank', `eye needs a 2-D shape, got ${plan.shape.length}-D`, '/shape')
  }
  const cols = plan.shape[1]!
  // Elements are zero on entry; only the diagonal positions inside [start, end) are written.
  // Diagonal element r sits at flat index r * (cols + 1).
  const stride = cols + 1
  const rows = Math.min(plan.shape[0]!, cols)
  const size = itemSize(plan.dtype)
  const element = new Uint8Array(8)
  fillElements(plan.dtype, recipe.value, element, 0, 1)
  const bytes = element.subarray(0, size)
  for (let r = Math.ceil(start / stride); r < rows; r++) {
    const idx = r * stride
    if (idx >= end) break
    out.set(bytes, (idx - start) * size)
  }
}
