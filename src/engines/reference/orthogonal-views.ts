import { TensorInitError } from '../../core/errors.ts'
import { elementCount, type Plan } from '../../core/plan.ts'
import type { DeltaOrthogonalRecipe, OrthogonalMovedRecipe } from '../../core/recipe.ts'
import { orthogonalMatrix } from './orthogonal.ts'
import { floatView, requireFloatDType, storeWithin } from './round-dtype.ts'

/**
 * Layouts of the orthogonal matrix that the plain 'orthogonal' recipe (a rows x cols matrix or
 * its transpose) cannot express, both from jax/_src/nn/initializers.py. They reuse the service's
 * orthogonal matrix (orthogonal.ts: the sign-fixed Q of a QR of a float32 normal matrix, one key,
 * cached per plan) and round once to the dtype like the rest of the non-MLX families.
 */

function matrix (plan: Plan, rows: number, cols: number): Float64Array {
  if (!Number.isSafeInteger(rows) || !Number.isSafeInteger(cols) || rows < 1 || cols < 1) {
    throw new TensorInitError('invalid-shape', `orthogonal needs a positive rows x cols view, got ${rows} x ${cols}`, '/shape')
  }
  return orthogonalMatrix(plan, { rows, cols })
}

/**
 * jax orthogonal with a middle column_axis: Q (rows x cols) is reshaped to
 * shape-without-column-axis + (cols,) and the last axis moved to column_axis, so output element
 * (a, b, c) of the (rows/inner, cols, inner) view is Q[a * inner + c, b].
 */
export function orthogonalMovedKernel (plan: Plan, recipe: OrthogonalMovedRecipe, start: number, end: number, out: Uint8Array): void {
  const dtype = requireFloatDType(plan.dtype, 'orthogonal')
  const { rows, cols, inner, gain } = recipe
  if (start >= end) return
  if (inner < 1 || rows % inner !== 0 || elementCount(plan.shape) !== rows * cols) {
    throw new TensorInitError('invalid-shape', `orthogonal view ${rows} x ${cols} (inner ${inner}) does not match shape [${plan.shape.join(', ')}]`, '/shape')
  }
  const q = matrix(plan, rows, cols)
  const view = floatView(dtype, out)
  const block = cols * inner
  for (let idx = start; idx < end; idx++) {
    const a = Math.floor(idx / block)
    const rest = idx - a * block
    const b = Math.floor(rest / inner)
    const c = rest - b * inner
    storeWithin(dtype, view, idx - start, gain * q[(a * inner + c) * cols + b]!, -Infinity, Infinity)
  }
}

/**
 * jax delta_orthogonal: a (k1[, k2[, k3]], in, out) kernel, zero except the centre tap
 * ((k - 1) // 2 in every spatial dim) which is scale * an orthogonal (in, out) matrix: Q of the
 * rows x cols view the column_axis selects, transposed when that view is (out, in).
 */
export function deltaOrthogonalKernel (plan: Plan, recipe: DeltaOrthogonalRecipe, start: number, end: number, out: Uint8Array): void {
  const dtype = requireFloatDType(plan.dtype, 'delta orthogonal')
  const { rows, cols, transpose, center, scale } = recipe
  const rank = plan.shape.length
  const fanIn = plan.shape[rank - 2]!
  const fanOut = plan.shape[rank - 1]!
  const tap = fanIn * fanOut
  if (tap !== rows * cols || (transpose ? rows !== fanOut : rows !== fanIn)) {
    throw new TensorInitError('invalid-shape', `delta orthogonal view ${rows} x ${cols} does not match shape [${plan.shape.join(', ')}]`, '/shape')
  }
  const from = Math.max(start, center * tap)
  const to = Math.min(end, (center + 1) * tap)
  if (from >= to) return
  const q = matrix(plan, rows, cols)
  const view = floatView(dtype, out)
  for (let idx = from; idx < to; idx++) {
    const k = idx - center * tap
    const i = Math.floor(k / fanOut)
    const o = k - i * fanOut
    const v = transpose ? q[o * cols + i]! : q[i * cols + o]!
    storeWithin(dtype, view, idx - start, scale * v, -Infinity, Infinity)
  }
}
