import type { Plan } from '../../core/plan.ts'
import type { Recipe, RecipeKind } from '../../core/recipe.ts'

/**
 * A reference kernel computes elements [start, end) of a plan (C order over plan.shape) into
 * `out`: exactly (end - start) * itemSize(plan.dtype) little-endian bytes, zero-filled on entry,
 * with a byteOffset that is a multiple of 8 (any typed view fits). The recipe is passed already
 * narrowed to the kernel's kind. A kernel must give the same bytes for a range as for the same
 * slice of the whole tensor: that is what lets chunks, Range requests and remote hosts agree.
 */
export type KernelFor<K extends RecipeKind> = (
  plan: Plan,
  recipe: Extract<Recipe, { kind: K }>,
  start: number,
  end: number,
  out: Uint8Array
) => void

export type KernelRegistry = { [K in RecipeKind]?: KernelFor<K> }
