import { TensorInitError } from '../../core/errors.ts'
import { itemSize } from '../../core/dtype.ts'
import type { Plan } from '../../core/plan.ts'
import type { SparseRecipe } from '../../core/recipe.ts'
import { f32Bits } from '../../random/half-conversion.ts'
import { sampleNormal } from '../../random/normal.ts'
import { uniformF32 } from '../../random/uniform.ts'
import { requireSamplerDType, samplerView } from './elements.ts'
import { planKey } from './keys.ts'

/**
 * MLX 0.32 nn.init.sparse (spec b.14), computed for any element range:
 *
 *   num_zeros = ceil(sparsity * cols)
 *   order = argsort(mx.random.uniform(shape=(rows, cols)), axis=1)   # float32, key 1
 *   a = mx.random.normal(shape, scale=std, loc=mean, dtype)            # key 2
 *   a[row, order[row, :num_zeros]] = 0
 *
 * MLX's CPU argsort is std::stable_sort with the comparator v1 < v2 || (v1 == v2 && i1 < i2), so
 * the zeroed columns of a row are the num_zeros smallest (uniform, column) pairs. A range needs
 * the uniforms of the rows it touches only, and the normals of its own elements.
 */

/** Column indices up to 2^23 fit beside a float32 bit pattern (< 2^30) in one exact double sort key. */
const INDEX_BITS = 2 ** 23

/** Zero-column count of MLX's sparse: ceil(sparsity * cols), clamped to the row. */
export function sparseZeroCount (sparsity: number, cols: number): number {
  if (!(sparsity >= 0 && sparsity <= 1)) throw new TensorInitError('invalid-parameter', `sparsity must be in [0, 1], got ${sparsity}`, '/params/sparsity')
  return Math.min(cols, Math.ceil(sparsity * cols))
}

/**
 * The columns MLX zeroes in one row: the first `count` entries of the stable ascending argsort
 * of `u` (ties by column index), returned ascending by column.
 */
export function smallestColumns (u: Float32Array, count: number): Uint32Array {
  const cols = u.length
  if (count <= 0) return new Uint32Array(0)
  if (count >= cols) return Uint32Array.from({ length: cols }, (_, i) => i)
  let picked: Uint32Array
  if (cols <= INDEX_BITS) {
    // u is in [0, 1): its float32 bits order like its values, and adding the column makes every key distinct.
    const keys = new Float64Array(cols)
    for (let i = 0; i < cols; i++) keys[i] = f32Bits(u[i]!) * INDEX_BITS + i
    keys.sort()
    picked = new Uint32Array(count)
    for (let i = 0; i < count; i++) picked[i] = keys[i]! % INDEX_BITS
  } else {
    const order = Uint32Array.from({ length: cols }, (_, i) => i)
    order.sort((x, y) => (u[x]! - u[y]!) || (x - y))
    picked = order.slice(0, count)
  }
  return picked.sort()
}

export function sparseKernel (plan: Plan, recipe: SparseRecipe, start: number, end: number, out: Uint8Array): void {
  const dtype = requireSamplerDType(plan.dtype, 'sparse')
  if (plan.shape.length !== 2) {
    throw new TensorInitError('invalid-rank', 'Only tensors with 2 dimensions are supported', '/shape')
  }
  const rows = plan.shape[0]!
  const cols = plan.shape[1]!
  const n = rows * cols
  const zeros = sparseZeroCount(recipe.sparsity, cols)
  sampleNormal(plan.profile, dtype, { key: planKey(plan, 1), n, start, end }, recipe.loc, recipe.scale, samplerView(dtype, out))
  if (zeros === 0 || start === end) return
  const uniformKey = planKey(plan, 0)
  const size = itemSize(plan.dtype)
  const u = new Float32Array(cols)
  for (let r = Math.floor(start / cols), last = Math.ceil(end / cols); r < last; r++) {
    uniformF32({ key: uniformKey, n, start: r * cols, end: (r + 1) * cols }, 0, 1, u)
    for (const c of smallestColumns(u, zeros)) {
      const idx = r * cols + c
      if (idx >= start && idx < end) out.fill(0, (idx - start) * size, (idx - start + 1) * size)
    }
  }
}
