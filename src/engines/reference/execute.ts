import { itemSize } from '../../core/dtype.ts'
import { elementCount, type Plan } from '../../core/plan.ts'
import { checkElementRange } from '../../core/element-range.ts'
import type { Recipe, RecipeKind } from '../../core/recipe.ts'
import type { KernelFor } from './kernel.ts'
import { kernels } from './registry.ts'

/**
 * Runs a plan's recipe for elements [start, end) (C order over plan.shape) with the reference
 * kernels and returns their little-endian bytes in plan.dtype. Equal, byte for byte, to the same
 * slice of the whole tensor.
 */
export function executeRange (plan: Plan, start: number, end: number): Uint8Array {
  checkElementRange({ start, end }, elementCount(plan.shape))
  const kind: RecipeKind = plan.recipe.kind
  const kernel = kernels[kind] as KernelFor<typeof kind> | undefined
  if (kernel === undefined) throw new Error(`no reference kernel for recipe kind "${kind}"`)
  // A fresh ArrayBuffer: zero-filled and 8-byte aligned, as kernels expect.
  const out = new Uint8Array((end - start) * itemSize(plan.dtype))
  if (end > start) kernel(plan, plan.recipe as Extract<Recipe, { kind: typeof kind }>, start, end, out)
  return out
}
